//! Line numbers without a counting pass over the input. The reader cuts batches of whole lines
//! without counting them; the worker that reads a batch knows its line count when it is done and
//! publishes it. Only a finding that names its line (OFF-C01) needs the batch's first line number:
//! the worker then waits for the counts of the earlier batches, which are being read or done
//! (batches are handed out in order, so the earliest unfinished batch never waits: no deadlock).

use std::sync::{Condvar, Mutex, PoisonError};

#[derive(Default)]
pub(crate) struct LineCounts {
    state: Mutex<State>,
    cv: Condvar,
}

#[derive(Default)]
struct State {
    /// Line count per batch sequence number, once its worker is done.
    counts: Vec<Option<u64>>,
    /// Batches `0..known` are all counted; `lines_before` is their sum.
    known: usize,
    lines_before: u64,
    /// A worker stopped without publishing: nobody waits any more.
    abandoned: bool,
}

impl LineCounts {
    /// Records that batch `seq` holds `lines` lines.
    pub fn publish(&self, seq: u64, lines: u64) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let i = seq as usize;
        if st.counts.len() <= i {
            st.counts.resize(i + 1, None);
        }
        st.counts[i] = Some(lines);
        while let Some(Some(n)) = st.counts.get(st.known).copied() {
            st.lines_before += n;
            st.known += 1;
        }
        drop(st);
        self.cv.notify_all();
    }

    /// Wakes every waiter for good (a worker failed; the run is ending with an error).
    pub fn abandon(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).abandoned = true;
        self.cv.notify_all();
    }

    /// The 1-based number of batch `seq`'s first line, once every earlier batch is counted;
    /// `None` if the run was abandoned.
    pub fn first_line(&self, seq: u64) -> Option<u64> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if st.known >= seq as usize {
                let before: u64 = st.lines_before
                    - st.counts[seq as usize..st.known].iter().map(|c| c.unwrap_or(0)).sum::<u64>();
                return Some(before + 1);
            }
            if st.abandoned {
                return None;
            }
            st = self.cv.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A batch's line numbering: relative line indexes turned into file line numbers on demand.
pub(crate) struct LineBase<'a> {
    counts: &'a LineCounts,
    seq: u64,
    first: Option<u64>,
}

impl<'a> LineBase<'a> {
    pub fn new(counts: &'a LineCounts, seq: u64) -> LineBase<'a> {
        LineBase { counts, seq, first: None }
    }

    /// The file line number of the batch's line `rel` (0-based); 0 only if the run was abandoned.
    pub fn line(&mut self, rel: u64) -> u64 {
        if self.first.is_none() {
            self.first = self.counts.first_line(self.seq);
        }
        self.first.map_or(0, |f| f + rel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_lines_add_up_whatever_the_publishing_order() {
        let c = LineCounts::default();
        c.publish(2, 5);
        c.publish(0, 3);
        assert_eq!(c.first_line(0), Some(1));
        assert_eq!(c.first_line(1), Some(4));
        c.publish(1, 10);
        assert_eq!(c.first_line(2), Some(14));
        assert_eq!(c.first_line(3), Some(19));
        assert_eq!(LineBase::new(&c, 1).line(2), 6);
    }

    #[test]
    fn a_waiter_is_woken_by_the_missing_count() {
        let c = LineCounts::default();
        std::thread::scope(|s| {
            let h = s.spawn(|| c.first_line(2));
            c.publish(1, 7);
            c.publish(0, 2);
            assert_eq!(h.join().ok().flatten(), Some(10));
        });
    }

    #[test]
    fn abandoning_releases_waiters() {
        let c = LineCounts::default();
        std::thread::scope(|s| {
            let h = s.spawn(|| c.first_line(1));
            c.abandon();
            assert_eq!(h.join().ok().flatten(), None);
        });
    }
}
