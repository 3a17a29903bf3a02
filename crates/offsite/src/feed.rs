//! The input side of the engine: batches of whole lines for the workers — a stream split by
//! [`Reader`] and read in turn under a lock, or a regular file read by position
//! ([`crate::chunks`]) — handed out in sequence by a [`Feed`], at most a bounded number ahead of
//! the merge.

use std::io::Read;
use std::sync::{Condvar, Mutex};

use crate::chunks::FileChunks;

/// The UTF-8 byte order mark, ignored at the start of the input.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whole lines, `data[start..len]`; then, when `oversized` says so, one line longer than the
/// limit that was skipped rather than held (its length in bytes).
pub(crate) struct Batch {
    pub(crate) data: Vec<u8>,
    pub(crate) start: usize,
    pub(crate) len: usize,
    pub(crate) oversized: Option<u64>,
}

/// Where the workers' batches come from.
pub(crate) enum Input<'r, R> {
    /// A stream, read in turn under the lock.
    Stream { reader: &'r mut R, read: &'r mut Reader },
    /// A regular file, read by position outside the lock, a stretch per batch.
    File(FileChunks<'r>),
}

/// The input as the workers share it (`Engine::run_parallel`): handed out in sequence, at most
/// `max_in_flight` batches ahead of the merge.
pub(crate) struct Feed<'r, R> {
    state: Mutex<State<'r, R>>,
    /// Signalled when the merge moves on or the reading stops.
    turn: Condvar,
    max_in_flight: u64,
}

struct State<'r, R> {
    input: Input<'r, R>,
    /// Input buffers to reuse.
    pool: Vec<Vec<u8>>,
    /// Sequence number of the next batch read.
    next_seq: u64,
    /// Batches merged so far.
    merged: u64,
    /// End of input, a read error, a failed worker or a failed merge: nothing more is read.
    stop: bool,
    failed: bool,
    error: Option<std::io::Error>,
}

/// How the reading ended, for the merge to report.
pub(crate) struct Ending {
    /// Sequence numbers handed out (each one a batch, unless the reading failed).
    pub(crate) batches: u64,
    pub(crate) worker_failed: bool,
    pub(crate) error: Option<std::io::Error>,
    pub(crate) pool: Vec<Vec<u8>>,
}

impl<'r, R: Read> Feed<'r, R> {
    pub(crate) fn new(input: Input<'r, R>, pool: Vec<Vec<u8>>, max_in_flight: u64) -> Self {
        let state = State { input, pool, next_seq: 0, merged: 0, stop: false, failed: false, error: None };
        Feed { state: Mutex::new(state), turn: Condvar::new(), max_in_flight }
    }

    /// Stops the reading: at the end of the input, on a read error (the first one is kept), when a
    /// worker failed or the merge did. Workers waiting for their turn are woken to see it.
    pub(crate) fn halt(&self, worker_failed: bool, error: Option<std::io::Error>) {
        if let Ok(mut s) = self.state.lock() {
            s.halt(worker_failed, error);
        }
        self.turn.notify_all();
    }

    /// The merge has taken `merged` batches and hands back their buffers: workers may read on.
    pub(crate) fn merged(&self, merged: u64, buffers: &mut Vec<Vec<u8>>) {
        if let Ok(mut s) = self.state.lock() {
            s.merged = merged;
            s.pool.append(buffers);
        }
        self.turn.notify_all();
    }

    /// Once every worker has stopped.
    pub(crate) fn ending(self) -> Ending {
        let s = self.state.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ending { batches: s.next_seq, worker_failed: s.failed, error: s.error, pool: s.pool }
    }

    /// Takes the next batch, once the merge is close enough behind: its sequence number, the bytes
    /// of input it reaches, and the batch. `None` when there is nothing more to read. Every
    /// sequence number handed out is a batch (an empty one past the end of a file), so the merge
    /// sees no gap unless a read failed.
    pub(crate) fn next_batch(&self) -> Option<(u64, u64, Batch)> {
        let mut guard = self.state.lock().ok()?;
        while !guard.stop && guard.next_seq - guard.merged >= self.max_in_flight {
            guard = self.turn.wait(guard).ok()?;
        }
        if guard.stop {
            return None;
        }
        let s = &mut *guard;
        let seq = s.next_seq;
        match &mut s.input {
            Input::Stream { reader, read } => match read.next(reader, &mut s.pool) {
                Ok(Some(batch)) => {
                    s.next_seq += 1;
                    Some((seq, read.bytes, batch))
                }
                Ok(None) => {
                    s.halt(false, None);
                    self.turn.notify_all();
                    None
                }
                Err(e) => {
                    s.halt(false, Some(e));
                    self.turn.notify_all();
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
                            self.halt(false, None);
                        }
                        Some((seq, c.reached, c.batch))
                    }
                    Err(e) => {
                        self.halt(false, Some(e));
                        None
                    }
                }
            }
        }
    }
}

impl<R> State<'_, R> {
    fn halt(&mut self, worker_failed: bool, error: Option<std::io::Error>) {
        self.stop = true;
        self.failed |= worker_failed;
        if self.error.is_none() {
            self.error = error;
        }
    }
}

/// Splits a stream into batches of whole lines (not counted here: see [`crate::lines`]); a line
/// that overflows the buffer past the limit is skipped to its end and handed on as an oversized
/// line of its own batch. Buffers are recycled through a pool.
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
                return Ok(Some(Batch { data: buf, start: 0, len: nl + 1, oversized: None }));
            }
            if self.eof {
                return Ok(Some(Batch { data: buf, start: 0, len, oversized: None }));
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
                return Ok(Some(Batch { data: buf, start: 0, len: 0, oversized: Some(bytes) }));
            }
            let grown = buf.len() * 2;
            buf.resize(grown, 0);
        }
    }
}
