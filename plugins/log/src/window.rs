//! The sliding window: what each run read (counts and response times), kept between
//! runs and summed over the runs that fall within `--window`.
//!
//! Time here is the plugin's own clock, advanced at every run by the time since the
//! previous run: the host's boot clock while the boot is the same (a wall-clock
//! step, forward or back, changes nothing), the wall clock across a reboot. Response
//! times are kept as histograms with logarithmic buckets, so that the state stays a
//! few KB whatever the traffic; a percentile is exact to about 3 parts in 100.

use serde::{Deserialize, Serialize};

/// Sub-buckets per power of two: a bucket spans at most 1/32 of its lower bound.
const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
/// At most this many runs are kept; older ones are merged pairwise.
const MAX_INTERVALS: usize = 96;

/// Response times in microseconds, bucketed.
#[derive(Serialize, Deserialize, Default, Debug, Clone, PartialEq)]
pub struct Histogram {
    /// (bucket, count), sorted by bucket.
    #[serde(default)]
    pub buckets: Vec<(u32, u64)>,
    /// Sum of all values, for the mean.
    #[serde(default)]
    pub sum_us: u64,
}

impl Histogram {
    pub fn count(&self) -> u64 {
        self.buckets.iter().map(|(_, c)| c).sum()
    }

    pub fn add(&mut self, us: u64) {
        self.sum_us = self.sum_us.saturating_add(us);
        let b = bucket(us);
        match self.buckets.binary_search_by_key(&b, |(k, _)| *k) {
            Ok(i) => self.buckets[i].1 += 1,
            Err(i) => self.buckets.insert(i, (b, 1)),
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        self.sum_us = self.sum_us.saturating_add(other.sum_us);
        for &(b, c) in &other.buckets {
            match self.buckets.binary_search_by_key(&b, |(k, _)| *k) {
                Ok(i) => self.buckets[i].1 += c,
                Err(i) => self.buckets.insert(i, (b, c)),
            }
        }
    }

    /// The value below which `q` (0..1) of the samples fall, as the middle of its
    /// bucket.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for &(b, c) in &self.buckets {
            seen += c;
            if seen >= rank {
                let (lo, hi) = bounds(b);
                return Some(lo + (hi - lo) / 2);
            }
        }
        None
    }

    pub fn mean(&self) -> Option<u64> {
        let n = self.count();
        (n > 0).then(|| self.sum_us / n)
    }
}

/// Values below `SUB` get a bucket each; above, each power of two is cut in `SUB`.
fn bucket(v: u64) -> u32 {
    if v < SUB {
        return v as u32;
    }
    let exp = 63 - v.leading_zeros();
    let shift = exp - SUB_BITS;
    let mantissa = (v >> shift) & (SUB - 1);
    ((shift + 1) << SUB_BITS) | mantissa as u32
}

/// The values a bucket holds: `lo..=hi`.
fn bounds(b: u32) -> (u64, u64) {
    let b = b as u64;
    if b < SUB {
        return (b, b);
    }
    let shift = (b >> SUB_BITS) - 1;
    let mantissa = b & (SUB - 1);
    let lo = (SUB | mantissa) << shift;
    (lo, lo + (1u64 << shift) - 1)
}

/// What one run (or several merged old runs) read.
#[derive(Serialize, Deserialize, Default, Debug, Clone, PartialEq)]
pub struct Interval {
    /// The plugin clock (ms) when the run ended.
    pub end_ms: u64,
    pub count: u64,
    #[serde(default)]
    pub times: Histogram,
}

/// Readings of the clocks at a run, to measure the time to the next (read by
/// [`crate::measure`]).
#[derive(Serialize, Deserialize, Default, Debug, Clone, PartialEq)]
pub struct Clock {
    pub boot_id: String,
    pub boot_ms: u64,
    pub wall_ms: i64,
}

impl Clock {
    /// Time from `prev` to `self`: the boot clock within a boot, the wall clock
    /// across a reboot (never negative).
    pub fn since(&self, prev: &Clock) -> u64 {
        if !self.boot_id.is_empty() && self.boot_id == prev.boot_id && self.boot_ms >= prev.boot_ms
        {
            return self.boot_ms - prev.boot_ms;
        }
        self.wall_ms.saturating_sub(prev.wall_ms).max(0) as u64
    }
}

/// The runs within reach of the window.
#[derive(Serialize, Deserialize, Default, Debug, Clone, PartialEq)]
pub struct Window {
    /// The plugin clock (ms) at the last run.
    pub now_ms: u64,
    pub intervals: Vec<Interval>,
    /// The last matching line seen, shortened, for the message.
    #[serde(default)]
    pub sample: Option<String>,
}

/// What the window holds now.
#[derive(Debug, Default)]
pub struct Totals {
    pub count: u64,
    pub times: Histogram,
    pub runs: usize,
}

impl Window {
    /// Advances the clock by `elapsed_ms`, records this run's reading and forgets the
    /// runs that ended `window_ms` or longer ago.
    pub fn record(&mut self, elapsed_ms: u64, run: Interval, window_ms: u64) {
        self.now_ms = self.now_ms.saturating_add(elapsed_ms);
        let now = self.now_ms;
        self.intervals
            .retain(|i| now.saturating_sub(i.end_ms) < window_ms);
        self.intervals.push(Interval { end_ms: now, ..run });
        while self.intervals.len() > MAX_INTERVALS {
            let newer = self.intervals.remove(1);
            let older = &mut self.intervals[0];
            older.end_ms = newer.end_ms;
            older.count += newer.count;
            older.times.merge(&newer.times);
        }
        if self.intervals.iter().all(|i| i.count == 0) {
            self.sample = None;
        }
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for i in &self.intervals {
            t.count += i.count;
            t.times.merge(&i.times);
            t.runs += 1;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_values_within_3_parts_in_100() {
        for v in [
            0u64,
            1,
            31,
            32,
            33,
            100,
            205_647,
            1_000_000,
            3_600_000_000,
            u64::MAX / 2,
        ] {
            let (lo, hi) = bounds(bucket(v));
            assert!(lo <= v && v <= hi, "{v} not in {lo}..={hi}");
            assert!(
                (hi - lo) as f64 <= lo as f64 / 31.0 + 1.0,
                "{v}: {lo}..={hi}"
            );
        }
        let mut prev = 0;
        for v in (0..5000u64).chain([1 << 20, 1 << 30]) {
            let b = bucket(v);
            assert!(b >= prev);
            prev = b;
        }
    }

    #[test]
    fn quantiles_and_mean() {
        let mut h = Histogram::default();
        for ms in 1..=100u64 {
            h.add(ms * 1000);
        }
        let p95 = h.quantile(0.95).unwrap() as f64;
        assert!((p95 - 95_000.0).abs() < 95_000.0 * 0.03, "{p95}");
        assert_eq!(h.mean(), Some(50_500));
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn runs_expire_when_the_window_has_passed() {
        let mut w = Window::default();
        let run = |count| Interval {
            count,
            ..Interval::default()
        };
        w.record(0, run(5), 300_000);
        w.record(200_000, run(1), 300_000);
        assert_eq!(w.totals().count, 6);
        w.record(100_000, run(0), 300_000);
        assert_eq!(w.totals().count, 1);
        w.record(300_000, run(0), 300_000);
        assert_eq!(w.totals().count, 0);
    }

    #[test]
    fn old_runs_are_merged_beyond_the_cap() {
        let mut w = Window::default();
        for _ in 0..500 {
            w.record(
                1,
                Interval {
                    count: 1,
                    ..Interval::default()
                },
                1_000_000,
            );
        }
        assert_eq!(w.intervals.len(), MAX_INTERVALS);
        assert_eq!(w.totals().count, 500);
    }

    #[test]
    fn a_wall_clock_step_does_not_move_the_window() {
        let a = Clock {
            boot_id: "b".into(),
            boot_ms: 1000,
            wall_ms: 5_000_000,
        };
        let back = Clock {
            boot_id: "b".into(),
            boot_ms: 31_000,
            wall_ms: 1_000,
        };
        assert_eq!(back.since(&a), 30_000);
        let rebooted = Clock {
            boot_id: "c".into(),
            boot_ms: 10,
            wall_ms: 5_060_000,
        };
        assert_eq!(rebooted.since(&a), 60_000);
        let rebooted_back = Clock {
            wall_ms: 0,
            ..rebooted
        };
        assert_eq!(rebooted_back.since(&a), 0);
    }
}
