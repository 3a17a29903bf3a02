//! The input side of the engine: batches of whole lines for the workers — a stream split by
//! [`Reader`] and read in turn under a lock, or a regular file read by position
//! ([`crate::chunks`]) — handed out in sequence, at most a bounded number ahead of the merge.

use std::io::Read;
use std::sync::{Condvar, Mutex};

use crate::chunks::FileChunks;

/// The UTF-8 byte order mark, ignored at the start of the stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(crate) enum Batch {
    /// Whole lines, `data[start..len]`; then, when `oversized` says so, one line longer than the
    /// limit that was skipped (a file's stretch whose last line runs on, [`crate::chunks`]).
    Lines { data: Vec<u8>, start: usize, len: usize, oversized: Option<u64> },
    /// One line longer than the limit, skipped.
    Oversized { bytes: u64 },
}

/// Where the workers' batches come from.
pub(crate) enum Input<'r, R> {
    /// A stream, read in turn under the lock.
    Stream { reader: &'r mut R, read: &'r mut Reader },
    /// A regular file, read by position outside the lock, a stretch per batch.
    File(FileChunks<'r>),
}

/// The input as the workers share it (`Engine::run_parallel`).
pub(crate) struct Source<'r, R> {
    pub(crate) input: Input<'r, R>,
    /// Input buffers to reuse.
    pub(crate) pool: Vec<Vec<u8>>,
    /// Sequence number of the next batch read.
    pub(crate) next_seq: u64,
    /// Batches merged so far.
    pub(crate) merged: u64,
    /// End of input, a read error, a failed worker or a failed merge: nothing more is read.
    pub(crate) stop: bool,
    pub(crate) failed: bool,
    pub(crate) error: Option<std::io::Error>,
}

/// Takes the next batch, once the merge is close enough behind: its sequence number, the bytes
/// of input it reaches, and the batch. `None` when there is nothing more to read. Every sequence
/// number handed out is a batch (an empty one past the end of a file), so the merge sees no gap
/// unless a read failed.
pub(crate) fn next_batch<R: Read>(
    src: &Mutex<Source<'_, R>>,
    turn: &Condvar,
    max_in_flight: u64,
) -> Option<(u64, u64, Batch)> {
    let mut guard = src.lock().ok()?;
    while !guard.stop && guard.next_seq - guard.merged >= max_in_flight {
        guard = turn.wait(guard).ok()?;
    }
    if guard.stop {
        return None;
    }
    let s = &mut *guard;
    let seq = s.next_seq;
    // Ends the reading: at the end of the input, or with a read error.
    let halt = |s: &mut Source<'_, R>, e: Option<std::io::Error>| {
        s.error = s.error.take().or(e);
        s.stop = true;
        turn.notify_all();
    };
    match &mut s.input {
        Input::Stream { reader, read } => match read.next(reader, &mut s.pool) {
            Ok(Some(batch)) => {
                s.next_seq += 1;
                Some((seq, read.bytes, batch))
            }
            Ok(None) => {
                halt(s, None);
                None
            }
            Err(e) => {
                halt(s, Some(e));
                None
            }
        },
        Input::File(chunks) => {
            let chunks = *chunks;
            s.next_seq += 1;
            let buf = s.pool.pop().unwrap_or_default();
            drop(guard);
            match chunks.read(seq, buf) {
                Ok(c) => {
                    if c.eof {
                        if let Ok(mut s) = src.lock() {
                            s.stop = true;
                        }
                        turn.notify_all();
                    }
                    Some((
                        seq,
                        c.reached,
                        Batch::Lines { data: c.data, start: c.start, len: c.len, oversized: c.oversized },
                    ))
                }
                Err(e) => {
                    if let Ok(mut s) = src.lock() {
                        halt(&mut s, Some(e));
                    }
                    None
                }
            }
        }
    }
}

/// Splits a stream into batches of whole lines (not counted here: see [`crate::lines`]); a line
/// longer than the limit is skipped to its end and handed on as [`Batch::Oversized`]. Buffers are
/// recycled through a pool.
pub(crate) struct Reader {
    carry: Vec<u8>,
    /// Nothing handed on yet (a byte order mark may open the stream).
    at_start: bool,
    pub(crate) bytes: u64,
    batch: usize,
    max_line: usize,
    eof: bool,
}

fn read_some<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

impl Reader {
    pub(crate) fn new(batch: usize, max_line: usize) -> Reader {
        Reader { carry: Vec::new(), at_start: true, bytes: 0, batch, max_line, eof: false }
    }

    /// Fills `buf[len..]` until full or end of input; returns the new length.
    fn fill<R: Read>(&mut self, r: &mut R, buf: &mut [u8], mut len: usize) -> std::io::Result<usize> {
        while len < buf.len() && !self.eof {
            let n = read_some(r, &mut buf[len..])?;
            self.bytes += n as u64;
            len += n;
            if n == 0 {
                self.eof = true;
            }
        }
        Ok(len)
    }

    pub(crate) fn next<R: Read>(
        &mut self,
        r: &mut R,
        pool: &mut Vec<Vec<u8>>,
    ) -> std::io::Result<Option<Batch>> {
        let mut buf = pool.pop().unwrap_or_default();
        let want = self.batch.max(self.carry.len() * 2);
        if buf.len() < want {
            buf.resize(want, 0);
        }
        buf[..self.carry.len()].copy_from_slice(&self.carry);
        let mut len = self.carry.len();
        self.carry.clear();
        loop {
            len = self.fill(r, &mut buf, len)?;
            if std::mem::take(&mut self.at_start) && buf[..len].starts_with(BOM) {
                // RFC 8259 §8.1: a parser may ignore a byte order mark; editors on Windows add one.
                buf.copy_within(BOM.len()..len, 0);
                len -= BOM.len();
            }
            if len == 0 {
                pool.push(buf);
                return Ok(None);
            }
            if let Some(nl) = memchr::memrchr(b'\n', &buf[..len]) {
                self.carry.extend_from_slice(&buf[nl + 1..len]);
                return Ok(Some(Batch::Lines { data: buf, start: 0, len: nl + 1, oversized: None }));
            }
            if self.eof {
                return Ok(Some(Batch::Lines { data: buf, start: 0, len, oversized: None }));
            }
            if len > self.max_line {
                // Skip to the end of this line without holding it.
                let mut bytes = len as u64;
                loop {
                    let n = self.fill(r, &mut buf, 0)?;
                    if let Some(p) = memchr::memchr(b'\n', &buf[..n]) {
                        bytes += p as u64;
                        self.carry.extend_from_slice(&buf[p + 1..n]);
                        break;
                    }
                    bytes += n as u64;
                    if self.eof {
                        break;
                    }
                }
                pool.push(buf);
                return Ok(Some(Batch::Oversized { bytes }));
            }
            let grown = buf.len() * 2;
            buf.resize(grown, 0);
        }
    }
}
