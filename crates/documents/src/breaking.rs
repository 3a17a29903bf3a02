//! Line breaking for Chinese text with Latin words and numbers mixed in.
//!
//! Chinese breaks between any two characters, except where the usual 禁则 (GB/T 15834, CLREQ) forbid it:
//! closing punctuation never starts a line (行首禁则), opening brackets and quotes never end one (行尾禁则),
//! and the two halves of —— and …… stay together. A run of Latin letters, digits and ASCII punctuation
//! (a word, "GB/T", "31011234", "3.5") is never split unless it is wider than the whole line. Nothing is
//! ever dropped: only the spaces at a break disappear, as in any typesetting.

use std::ops::Range;

/// Characters that must not start a line (行首禁则).
const NO_START: &str = "，。、；：？！）」』》〕】〗〙〛｝］〉”’％‰℃·・ー～,.;:?!)]}%";
/// Characters that must not end a line (行尾禁则).
const NO_END: &str = "（「『《〔【〖〘〚｛［〈“‘([{";
/// Characters whose doubled form (——, ……) is one mark and is never split.
const PAIRED: &str = "—…";

/// Whether `c` may not start a line.
pub(crate) fn is_no_start(c: char) -> bool {
    NO_START.contains(c)
}

/// Whether `c` may not end a line.
pub(crate) fn is_no_end(c: char) -> bool {
    NO_END.contains(c)
}

/// Whether `c` is Chinese-like: breakable before and after (ideographs, kana, hangul, CJK and full-width
/// punctuation, general punctuation such as quotes, dashes and ellipses).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x2010..=0x2027 | 0x2E80..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF | 0xFE10..=0xFE1F | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// Whether `c` belongs to a Latin word or number that is kept whole.
pub(crate) fn is_word(c: char) -> bool {
    !c.is_whitespace() && !is_cjk(c)
}

/// A break between spaces is a plain space (the ideographic space U+3000 is a character like any other).
fn is_space(c: char) -> bool {
    c.is_whitespace() && c != '\u{3000}'
}

/// One line of a paragraph: the byte range of its text (spaces at the break left out) and its width.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub range: Range<usize>,
    pub width: f32,
    /// The first line of a paragraph (the indented one).
    pub first: bool,
    /// Not the last line of its paragraph: it may be justified to the full measure.
    pub justify: bool,
    /// The line ends inside a run wider than the measure (the one place a 禁则 may give way).
    pub split: bool,
}

/// An unbreakable run of text: one CJK character, one word, or spaces.
#[derive(Debug, Clone)]
struct Piece {
    range: Range<usize>,
    width: f32,
    space: bool,
}

/// Breaks `text` into lines of at most `width` (the first line of each paragraph: `first_width`). A `\n`
/// starts a new paragraph. `advance` gives a character's width in the same unit as the widths.
pub(crate) fn break_lines(
    text: &str,
    first_width: f32,
    width: f32,
    advance: &dyn Fn(char) -> f32,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for segment in text.split('\n') {
        break_paragraph(segment, offset, first_width, width, advance, &mut lines);
        offset += segment.len() + 1;
    }
    lines
}

fn pieces(text: &str, offset: usize, advance: &dyn Fn(char) -> f32) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for (i, c) in text.char_indices() {
        let (start, end, w) = (offset + i, offset + i + c.len_utf8(), advance(c));
        let space = is_space(c);
        if let Some(last) = out.last_mut() {
            let last_char = text[..i].chars().next_back();
            let joins = match last_char {
                Some(p) if space => is_space(p),
                Some(p) => is_word(c) && is_word(p),
                None => false,
            };
            if joins {
                last.range.end = end;
                last.width += w;
                continue;
            }
        }
        out.push(Piece { range: start..end, width: w, space });
    }
    out
}

/// Groups the pieces into boxes that may not be broken inside, applying the 禁则.
fn boxes(text: &str, offset: usize, pieces: Vec<Piece>) -> Vec<Piece> {
    let first = |p: &Piece| text[p.range.start - offset..].chars().next().unwrap_or(' ');
    let last = |p: &Piece| text[..p.range.end - offset].chars().next_back().unwrap_or(' ');
    let mut glue = vec![false; pieces.len()];
    for i in 1..pieces.len() {
        let (prev, cur) = (&pieces[i - 1], &pieces[i]);
        if !cur.space && is_no_start(first(cur)) {
            glue[i] = true;
            // "abc ，": the space before the mark is not a break either.
            if prev.space && i >= 2 {
                glue[i - 1] = true;
            }
        }
        if !prev.space && is_no_end(last(prev)) {
            glue[i] = true;
            // "（ abc": nor the space after an opening bracket.
            if cur.space && i + 1 < pieces.len() {
                glue[i + 1] = true;
            }
        }
        if !prev.space && !cur.space && PAIRED.contains(first(cur)) && last(prev) == first(cur) {
            glue[i] = true;
        }
    }
    let mut out: Vec<Piece> = Vec::new();
    for (piece, glued) in pieces.into_iter().zip(glue) {
        match out.last_mut() {
            Some(last) if glued => {
                last.range.end = piece.range.end;
                last.width += piece.width;
                last.space = false;
            }
            _ => out.push(piece),
        }
    }
    out
}

fn break_paragraph(
    text: &str,
    offset: usize,
    first_width: f32,
    width: f32,
    advance: &dyn Fn(char) -> f32,
    lines: &mut Vec<Line>,
) {
    const SLACK: f32 = 0.01;
    let boxes = boxes(text, offset, pieces(text, offset, advance));
    let start_count = lines.len();
    let mut current: Option<Line> = None;
    let mut pending_space = 0.0;
    let measure = |n: usize| if n == start_count { first_width } else { width };
    for b in boxes {
        if b.space {
            if current.is_some() {
                pending_space += b.width;
            }
            continue;
        }
        if let Some(line) = current.as_mut() {
            if line.width + pending_space + b.width <= measure(lines.len()) + SLACK {
                line.range.end = b.range.end;
                line.width += pending_space + b.width;
                pending_space = 0.0;
                continue;
            }
            let mut done = current.take().expect("a line is open");
            done.justify = true;
            lines.push(done);
        }
        pending_space = 0.0;
        if b.width <= measure(lines.len()) + SLACK {
            current =
                Some(Line { range: b.range, width: b.width, first: false, justify: false, split: false });
        } else {
            // Wider than a whole line (a long URL, a run of glued marks): split it by character.
            let mut line: Option<Line> = None;
            for (i, c) in text[b.range.start - offset..b.range.end - offset].char_indices() {
                let (start, w) = (b.range.start + i, advance(c));
                let end = start + c.len_utf8();
                if let Some(l) = line.as_mut() {
                    if l.width + w <= measure(lines.len()) + SLACK {
                        l.range.end = end;
                        l.width += w;
                        continue;
                    }
                    let mut done = line.take().expect("a line is open");
                    done.split = true;
                    lines.push(done);
                }
                line = Some(Line { range: start..end, width: w, first: false, justify: false, split: false });
            }
            current = line;
        }
    }
    lines.push(current.unwrap_or(Line {
        range: offset..offset,
        width: 0.0,
        first: false,
        justify: false,
        split: false,
    }));
    lines[start_count].first = true;
    // The spaces at a break belong to no line (a space glued to a mark may still lead a box).
    for line in &mut lines[start_count..] {
        let s = &text[line.range.start - offset..line.range.end - offset];
        let lead = s.len() - s.trim_start_matches(is_space).len();
        let trail = s.len() - s.trim_end_matches(is_space).len();
        if lead < s.len() {
            line.range = line.range.start + lead..line.range.end - trail;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CJK character is 1 em wide, anything else half an em.
    fn em(c: char) -> f32 {
        if is_cjk(c) {
            1.0
        } else {
            0.5
        }
    }

    fn texts(text: &str, width: f32) -> Vec<&str> {
        break_lines(text, width, width, &em).into_iter().map(|l| &text[l.range]).collect()
    }

    #[test]
    fn cjk_breaks_by_character() {
        assert_eq!(texts("生态环境监测机构", 3.0), ["生态环", "境监测", "机构"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line_and_takes_a_character_along() {
        assert_eq!(texts("监测机构。检查", 4.0), ["监测机", "构。检查"]);
        assert_eq!(texts("甲乙丙）」，丁", 4.0), ["甲乙", "丙）」，", "丁"]);
    }

    #[test]
    fn opening_brackets_never_end_a_line() {
        assert_eq!(texts("甲乙丙（丁）", 4.0), ["甲乙丙", "（丁）"]);
        assert_eq!(texts("甲乙《丁》", 3.0), ["甲乙", "《丁》"]);
    }

    #[test]
    fn latin_words_and_numbers_are_not_split() {
        assert_eq!(texts("执法证号31011234号", 5.0), ["执法证号", "31011234号"]);
        assert_eq!(texts("依据 GB/T 9704 执行", 5.0), ["依据 GB/T", "9704 执行"]);
    }

    #[test]
    fn dashes_and_ellipses_stay_whole() {
        assert_eq!(texts("甲乙——丙", 3.0), ["甲乙", "——丙"]);
        assert_eq!(texts("甲乙……", 3.0), ["甲乙", "……"]);
    }

    #[test]
    fn a_word_wider_than_the_line_is_split_rather_than_lost() {
        assert_eq!(texts("abcdefgh", 2.0), ["abcd", "efgh"]);
    }

    #[test]
    fn newline_starts_an_indented_paragraph() {
        let lines = break_lines("甲乙丙丁\n戊己", 2.0, 3.0, &em);
        let got: Vec<_> = lines.iter().map(|l| (&"甲乙丙丁\n戊己"[l.range.clone()], l.first)).collect();
        assert_eq!(got, [("甲乙", true), ("丙丁", false), ("戊己", true)]);
    }

    #[test]
    fn punctuation_never_starts_and_brackets_never_end_a_line_at_any_width() {
        let text =
            "根据《中华人民共和国环境保护法》（2014年修订）第二十四条，我局定于2027年1月15日前对你单位开展\
                    “双随机、一公开”检查。请你单位予以配合——准备好相关资料……逾期不改正的，依法处理！";
        for tenth in 30..200 {
            let width = tenth as f32 / 10.0;
            let lines = texts(text, width);
            for (i, line) in lines.iter().enumerate() {
                let first = line.chars().next().expect("no empty line");
                let last = line.chars().next_back().expect("no empty line");
                assert!(
                    i == 0 || !is_no_start(first),
                    "line {i} starts with {first} at width {width}: {lines:?}"
                );
                assert!(!is_no_end(last), "line ends with {last} at width {width}: {lines:?}");
            }
            let joined: String = lines.concat();
            assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
        }
    }

    proptest::proptest! {
        #[test]
        fn lines_keep_every_character_fit_the_measure_and_obey_the_kinsoku(
            text in "[监测机构检查通知书ab12 ，。、；：？！）」》（「《—…]{0,300}",
            width in 1.0f32..40.0,
        ) {
            let lines = break_lines(&text, width, width, &em);
            let joined: String = lines.iter().map(|l| &text[l.range.clone()]).collect();
            let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            proptest::prop_assert_eq!(squash(&joined), squash(&text));
            for (i, line) in lines.iter().enumerate() {
                let s = &text[line.range.clone()];
                let chars = s.chars().count();
                proptest::prop_assert!(line.width <= width + 0.01 || chars == 1 || line.width <= 1.0, "{:?} wider than {}", s, width);
                // A forced split (a glued run wider than the line) is the only excuse for breaking a 禁则.
                let forced = i > 0 && lines[i - 1].split;
                if let (Some(first), false, true) = (s.chars().next(), forced, i > 0) {
                    proptest::prop_assert!(!is_no_start(first), "{:?} starts line {}", s, i);
                }
            }
        }
    }
}
