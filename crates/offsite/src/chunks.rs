//! Positional reads of a regular file: the file is cut into stretches of a fixed size, and a
//! worker reads the lines that *start* in its stretch — from the first line start in it through
//! the end of the last one, past the stretch if that line runs on — by position, holding no lock
//! while it reads. Stretch k's batch therefore follows stretch k − 1's exactly, and the merge
//! numbers lines by counting them batch after batch, as for a stream.
//!
//! A line starts at offset 0 and after every `\n`. A line that runs on past the stretch is read on,
//! a piece at a time, while it is within the line limit; once longer, it is not held but counted
//! to its end and handed on as an oversized line after the stretch's other lines. (A line that
//! ends in the piece read last can be up to a piece over the limit: the engine checks every
//! line's length, so it is named oversized all the same.)

use std::fs::File;
use std::io;

use crate::feed::{Batch, BOM};

/// Bytes read at a time past the end of a stretch, looking for the end of its last line.
const RUN_ON: usize = 64 << 10;

/// The lines that start in one stretch.
pub(crate) struct Chunk {
    pub batch: Batch,
    /// No line starts after this stretch (the end of the file is in it or right after it).
    pub eof: bool,
    /// File offset up to which lines are accounted for (for progress).
    pub reached: u64,
}

#[derive(Clone, Copy)]
pub(crate) struct FileChunks<'f> {
    pub file: &'f File,
    pub stretch: usize,
    pub max_line: usize,
}

/// One positional read (`pread` on Unix; on Windows a seek-and-read that leaves the cursor moved,
/// which nothing here uses).
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    #[cfg(unix)]
    return std::os::unix::fs::FileExt::read_at(file, buf, pos);
    #[cfg(windows)]
    return std::os::windows::fs::FileExt::seek_read(file, buf, pos);
}

/// Reads at `pos` until `buf` is full or the file ends; returns the bytes read.
fn read_full_at(file: &File, buf: &mut [u8], mut pos: u64) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match read_at(file, &mut buf[n..], pos) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                pos += k as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl FileChunks<'_> {
    /// Reads stretch `k` into `buf` (a recycled buffer).
    pub fn read(&self, k: u64, mut buf: Vec<u8>) -> io::Result<Chunk> {
        let size = self.stretch.max(1);
        let start = k * size as u64;
        // After the first stretch, the byte before it says whether a line starts at its first byte.
        let lead = usize::from(k > 0);
        let from = start - lead as u64;
        // A recycled buffer is already long enough: only a new one is zeroed (4 MiB a time).
        if buf.len() < size + lead {
            buf.resize(size + lead, 0);
        }
        let n = read_full_at(self.file, &mut buf[..size + lead], from)?;
        buf.truncate(n);
        let full = n == size + lead;
        // Lines of this stretch from `first` to `len`; the file has been read up to `len`.
        let lines = |buf: Vec<u8>, first: usize, len: usize, eof: bool| Chunk {
            batch: Batch { data: buf, start: first, len, oversized: None },
            eof,
            reached: from + len as u64,
        };
        // No line starts in this stretch. Past the end of the file nothing was reached.
        let empty = |buf: Vec<u8>| Chunk {
            batch: Batch { data: buf, start: 0, len: 0, oversized: None },
            eof: !full,
            reached: if n == 0 { 0 } else { from + n as u64 },
        };
        let first = if k == 0 {
            if buf.starts_with(BOM) {
                BOM.len()
            } else {
                0
            }
        } else {
            // A `\n` at index i (offset start − 1 + i) starts a line at offset start + i, which is
            // in this stretch for i < size.
            match memchr::memchr(b'\n', &buf[..n.min(size)]) {
                Some(i) => i + 1,
                None => return Ok(empty(buf)),
            }
        };
        if first >= n {
            return Ok(empty(buf));
        }
        if !full {
            // The file ends in this stretch: its lines run to the end.
            return Ok(lines(buf, first, n, true));
        }
        // The stretch's last byte is at index lead + size − 1; the last line starting in the
        // stretch ends at the first `\n` from there on.
        let last_byte = lead + size - 1;
        if buf[last_byte] == b'\n' {
            return Ok(lines(buf, first, last_byte + 1, false));
        }
        let last_start = memchr::memrchr(b'\n', &buf[first..last_byte]).map_or(first, |i| first + i + 1);
        loop {
            let have = buf.len();
            if have - last_start > self.max_line {
                return self.skip_oversized(buf, first, last_start, from);
            }
            buf.resize(have + RUN_ON, 0);
            let got = read_full_at(self.file, &mut buf[have..], from + have as u64)?;
            buf.truncate(have + got);
            if let Some(i) = memchr::memchr(b'\n', &buf[have..]) {
                return Ok(lines(buf, first, have + i + 1, false));
            }
            if got < RUN_ON {
                let len = buf.len();
                return Ok(lines(buf, first, len, true));
            }
        }
    }

    /// The last line of the stretch (from `last_start`) is longer than the limit: keeps the lines
    /// before it and counts it to its end without holding it.
    fn skip_oversized(
        &self,
        mut buf: Vec<u8>,
        first: usize,
        last_start: usize,
        from: u64,
    ) -> io::Result<Chunk> {
        let mut bytes = (buf.len() - last_start) as u64;
        let mut pos = from + buf.len() as u64;
        buf.truncate(last_start);
        let mut scratch = vec![0u8; RUN_ON];
        let eof = loop {
            let got = read_full_at(self.file, &mut scratch, pos)?;
            if let Some(i) = memchr::memchr(b'\n', &scratch[..got]) {
                bytes += i as u64;
                pos += i as u64 + 1;
                break false;
            }
            bytes += got as u64;
            pos += got as u64;
            if got < RUN_ON {
                break true;
            }
        };
        let len = buf.len();
        Ok(Chunk {
            batch: Batch { data: buf, start: first.min(len), len, oversized: Some(bytes) },
            eof,
            reached: pos,
        })
    }
}
