//! String bodies for the fast path ([`crate::fast`]): finding the bytes that end a plain run
//! (quote, backslash, control character), validating escapes, decoding them, and what the
//! scanner remembers over one batch's text ([`BatchMemo`]). No panics: all indexing is checked.

use bumpalo::Bump;

use crate::index::same_bytes;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in the lowest byte of `w` that is `"`, `\` or a control character (< 0x20); bits
/// above the lowest may be false positives, the lowest set one never is.
#[inline(always)]
fn specials(w: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let q = zero(w ^ (ONES * u64::from(b'"')));
    let bs = zero(w ^ (ONES * u64::from(b'\\')));
    let ctl = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    q | bs | ctl
}

/// Bit k set when byte k of `chunk` is `"`, `\` or a control character (< 0x20): sixteen bytes at
/// a time with SSE2, which every x86-64 processor has (`safe_arch` wraps the intrinsics in safe
/// functions, available when the target feature is enabled at compile time, as SSE2 always is).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn specials16(chunk: &[u8; 16]) -> u32 {
    use safe_arch::{
        cmp_eq_mask_i8_m128i, load_unaligned_m128i, max_u8_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let v = load_unaligned_m128i(chunk);
    let quote = cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b'"' as i8));
    let backslash = cmp_eq_mask_i8_m128i(v, set_splat_i8_m128i(b'\\' as i8));
    let below_space = set_splat_i8_m128i(0x1f);
    let control = cmp_eq_mask_i8_m128i(max_u8_m128i(v, below_space), below_space);
    move_mask_i8_m128i(quote | backslash | control) as u32
}

/// The position of the first `"`, `\` or control character at or after `i` (or a position past
/// the end when there is none): sixteen bytes at a time where SSE2 is available, then eight with
/// [`specials`]; the caller looks at the byte found.
#[inline(always)]
pub(crate) fn next_special(b: &[u8], mut i: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    while let Some(chunk) = b.get(i..i + 16).and_then(|c| <&[u8; 16]>::try_from(c).ok()) {
        let m = specials16(chunk);
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    while let Some(chunk) = b.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
        let m = specials(u64::from_le_bytes(chunk));
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// Value of each hex digit byte; 0xFF for any other byte.
const HEX: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// The four hex digits of a `\u` escape (text encoded with `\u` escapes throughout, as Python's
/// `json.dumps` writes Chinese by default, has one per character: a table, not `to_digit`).
#[inline(always)]
fn hex4(h: &[u8]) -> Option<u32> {
    let &[a, b, c, d] = h.get(..4)? else { return None };
    let (a, b, c, d) = (HEX[a as usize], HEX[b as usize], HEX[c as usize], HEX[d as usize]);
    if (a | b | c | d) & 0xF0 != 0 {
        return None;
    }
    Some(u32::from(a) << 12 | u32::from(b) << 8 | u32::from(c) << 4 | u32::from(d))
}

/// Validates the escape at `b[i] == '\\'`; returns the index after it. Surrogate escapes are
/// refused (they fall back to the reference parser).
#[inline]
fn escape_end(b: &[u8], i: usize) -> Option<usize> {
    // `\uXXXX` first, whole: it is nearly every escape in text written with escapes, and taking it
    // before the match below saves that match's jump and assembling the code point (a surrogate,
    // D800–DFFF, is a first digit D with a second digit of 8 or more).
    if let Some(&[_, b'u', h0, h1, h2, h3]) = b.get(i..i + 6) {
        let (d0, d1) = (HEX[h0 as usize], HEX[h1 as usize]);
        let bad = (d0 | d1 | HEX[h2 as usize] | HEX[h3 as usize]) & 0xF0 != 0 || d0 == 0xD && d1 >= 8;
        return (!bad).then_some(i + 6);
    }
    match *b.get(i + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 2),
        // Anything else, a `\u` cut short by the end of the text included.
        _ => None,
    }
}

/// Validates the run of escapes starting at `b[i] == '\\'` (text written with `\u` escapes has one
/// per character, back to back); returns the index after the last. Out of line: the usual text has
/// no escapes, and the scanner's loops stay small without this one.
#[inline(never)]
pub(crate) fn escape_run(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = escape_end(b, i)?;
        if b.get(i) != Some(&b'\\') {
            return Some(i);
        }
    }
}

/// Decodes the body of a string whose escapes were validated by [`escape_end`] into `out`
/// (cleared first).
fn decode(raw: &str, out: &mut String) -> Option<()> {
    out.clear();
    let b = raw.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(raw.get(last..i)?);
        let (c, len) = match *b.get(i + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => (char::from_u32(hex4(b.get(i + 2..)?)?)?, 6),
            _ => return None,
        };
        out.push(c);
        i += len;
        last = i;
    }
    out.push_str(raw.get(last..)?);
    Some(())
}

/// What the fast path remembers over one batch's text. The escaped strings, decoded into a bump
/// arena that lives as long as the text, so a report borrows them like any other string (no
/// allocation and free per string); a string met again (a parameter name, in every result) is
/// usually found in a small direct-mapped cache — a slot picked from its length and its first and
/// last eight bytes, then one comparison — instead of being hashed whole into a map, and a string
/// that misses is decoded again, which only costs arena room (bounded by the batch's text). And
/// the last analyst object read, with its id (`Sc::analyst` in [`crate::fast`]).
pub(crate) struct BatchMemo<'a> {
    arena: &'a Bump,
    /// The text of the last analyst object read, and its id.
    pub(crate) analyst: (&'a str, &'a str),
    slots: Box<[(&'a str, &'a str); DECODED_SLOTS]>,
    /// Where a string is decoded before it is copied into the arena.
    text: String,
}

/// The decoded-string cache has 2^SLOT_BITS slots, picked by the top bits of a hash.
const SLOT_BITS: u32 = 11;
const DECODED_SLOTS: usize = 1 << SLOT_BITS;

/// The cache slot of an escaped string body (never empty: it holds an escape).
#[inline(always)]
fn decoded_slot(raw: &[u8]) -> usize {
    let word = |at: usize| {
        raw.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map_or(0, u64::from_le_bytes)
    };
    let h = (word(0) ^ word(raw.len().saturating_sub(8)).rotate_left(29) ^ raw.len() as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> (64 - SLOT_BITS)) as usize
}

impl<'a> BatchMemo<'a> {
    pub fn new(arena: &'a Bump) -> BatchMemo<'a> {
        BatchMemo {
            arena,
            analyst: ("", ""),
            slots: Box::new([("", ""); DECODED_SLOTS]),
            text: String::new(),
        }
    }

    /// The decoded text of a string body with (validated) escapes.
    pub(crate) fn decoded(&mut self, raw: &'a str) -> Option<&'a str> {
        let slot = self.slots.get_mut(decoded_slot(raw.as_bytes()))?;
        if same_bytes(slot.0.as_bytes(), raw.as_bytes()) {
            return Some(slot.1);
        }
        decode(raw, &mut self.text)?;
        let d: &'a str = self.arena.alloc_str(&self.text);
        *slot = (raw, d);
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// One [`BatchMemo`] over many strings, as a batch uses it: far more strings than cache slots
    /// (so slots are shared and overwritten), half of them of one length with the same first and
    /// last eight bytes (so the same slot) that differ in the middle, each met again later: every
    /// answer is the string's own decoding.
    #[test]
    fn decoded_strings_are_their_own_decoding_however_slots_are_shared() {
        let arena = Bump::new();
        let mut memo = BatchMemo::new(&arena);
        let raws: Vec<String> = (0..3 * DECODED_SLOTS as u32)
            .map(|k| {
                let c = char::from_u32(0x4e00 + k % 0x5000).unwrap();
                if k % 2 == 0 {
                    // Same ends, and the same length for every k of as many digits: one slot.
                    format!("\\u7ad9\\u70b9 {k} \\u70b9\\u7ad9")
                } else {
                    format!("\\u{:04x}\\u70b9-{}", c as u32, k / 100)
                }
            })
            .collect();
        for round in 0..2 {
            for raw in raws.iter().chain(raws.iter().rev()) {
                let mut expected = String::new();
                decode(raw, &mut expected).unwrap();
                assert_eq!(memo.decoded(raw), Some(expected.as_str()), "round {round}: {raw}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// [`escape_run`] (with its `\u` shortcut) accepts exactly what validating one escape
        /// after another by its code point accepts: pieces drawn from escapes around the edges
        /// (surrogates, non-hex digits, other escapes, a cut-off end).
        #[test]
        fn escape_run_agrees_with_escape_end_one_at_a_time(
            pieces in proptest::collection::vec(
                (0usize..6, proptest::collection::vec(proptest::sample::select(b"0789abcdefABCDEFgG/\\\" ".to_vec()), 4)),
                1..6,
            ),
        ) {
            let mut b = Vec::new();
            for (kind, digits) in &pieces {
                match kind {
                    0 | 1 => { b.extend_from_slice(b"\\u"); b.extend_from_slice(digits); }
                    2 => { b.extend_from_slice(b"\\uD"); b.extend_from_slice(&digits[1..]); }
                    3 => { b.push(b'\\'); b.push(digits[0]); }
                    4 => b.extend_from_slice(&digits[..2]),
                    _ => { b.extend_from_slice(b"\\u"); b.extend_from_slice(&digits[..2]); }
                }
            }
            // One escape by its code point: the definition the shortcut must keep to.
            let by_code_point = |b: &[u8], i: usize| match *b.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 2),
                b'u' => hex4(b.get(i + 2..i + 6)?).filter(|v| !(0xD800..0xE000).contains(v)).map(|_| i + 6),
                _ => None,
            };
            let one_at_a_time = {
                let mut i = Some(0);
                while let Some(k) = i {
                    i = by_code_point(&b, k);
                    if i.is_some_and(|n| b.get(n) != Some(&b'\\')) {
                        break;
                    }
                }
                i
            };
            prop_assert_eq!(escape_run(&b, 0), one_at_a_time, "{}", String::from_utf8_lossy(&b));
        }
    }
}
