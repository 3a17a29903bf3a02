//! A Fenwick (binary indexed) tree of 0/1 flags with order statistics.
//!
//! The draw repeatedly asks "the j-th still-available item in sorted order" while items drop
//! out; a Fenwick tree answers that in O(log n) instead of rebuilding a filtered list.

#[derive(Debug, Clone)]
pub(crate) struct Fenwick {
    tree: Vec<u32>,
    total: u32,
}

impl Fenwick {
    /// Builds from flags in O(n).
    pub(crate) fn from_flags(flags: impl IntoIterator<Item = bool>) -> Self {
        let mut tree: Vec<u32> = std::iter::once(0).chain(flags.into_iter().map(u32::from)).collect();
        let n = tree.len();
        let total = tree.iter().sum();
        for i in 1..n {
            let j = i + (i & i.wrapping_neg());
            if j < n {
                tree[j] += tree[i];
            }
        }
        Fenwick { tree, total }
    }

    /// Number of set flags.
    pub(crate) fn total(&self) -> u32 {
        self.total
    }

    /// Clears flag `i` (must be set).
    pub(crate) fn remove(&mut self, i: usize) {
        self.total -= 1;
        let mut i = i + 1;
        while i < self.tree.len() {
            self.tree[i] -= 1;
            i += i & i.wrapping_neg();
        }
    }

    /// Position of the `k`-th (0-based) set flag; `k` must be < total.
    pub(crate) fn kth(&self, k: u32) -> usize {
        let n = self.tree.len() - 1;
        let mut pos = 0usize;
        let mut rem = k + 1;
        let mut step = if n == 0 { 0 } else { 1usize << (usize::BITS - 1 - n.leading_zeros()) };
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] < rem {
                pos = next;
                rem -= self.tree[next];
            }
            step >>= 1;
        }
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kth_tracks_removals() {
        let flags = [true, false, true, true, false, true, true];
        let mut f = Fenwick::from_flags(flags);
        let mut live: Vec<usize> = (0..flags.len()).filter(|&i| flags[i]).collect();
        assert_eq!(f.total() as usize, live.len());
        for victim in [3usize, 0, 6] {
            for (k, &p) in live.iter().enumerate() {
                assert_eq!(f.kth(k as u32), p);
            }
            f.remove(victim);
            live.retain(|&p| p != victim);
        }
        assert_eq!(f.total(), 2);
        assert_eq!((f.kth(0), f.kth(1)), (2, 5));
    }
}
