//! The fake hosts npd-memory judges: `<root>/proc/{meminfo,vmstat,pressure/memory}` as
//! the kernel writes them.

use npd_test_support::FakeHost;

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-memory");

pub trait MemoryHost {
    /// A healthy host: 16 GiB, 12 GiB available, no pressure, 2 OOM kills since boot.
    fn healthy() -> FakeHost;
    /// A meminfo as the kernel writes it, sizes in kB.
    fn meminfo(&self, total_kb: u64, available_kb: u64) -> &FakeHost;
    /// A pressure/memory with these avg10 values.
    fn pressure(&self, some: f64, full: f64) -> &FakeHost;
    /// A vmstat whose oom_kill counter is `n`.
    fn oom_kills(&self, n: u64) -> &FakeHost;
}

impl MemoryHost for FakeHost {
    fn healthy() -> FakeHost {
        let host = FakeHost::new();
        host.dir("proc/pressure");
        host.meminfo(16 << 20, 12 << 20)
            .pressure(0.0, 0.0)
            .oom_kills(2);
        host
    }

    fn meminfo(&self, total_kb: u64, available_kb: u64) -> &FakeHost {
        let text = format!(
            "MemTotal:       {total_kb} kB\nMemFree:        {} kB\n\
             MemAvailable:   {available_kb} kB\nBuffers:          123456 kB\n\
             Cached:         2345678 kB\nSwapCached:            0 kB\n\
             HugePages_Total:       0\nHugepagesize:       2048 kB\n",
            available_kb / 2
        );
        self.write("proc/meminfo", text)
    }

    fn pressure(&self, some: f64, full: f64) -> &FakeHost {
        let text = format!(
            "some avg10={some:.2} avg60=1.00 avg300=0.50 total=123456789\n\
             full avg10={full:.2} avg60=0.50 avg300=0.10 total=23456789\n"
        );
        self.write("proc/pressure/memory", text)
    }

    fn oom_kills(&self, n: u64) -> &FakeHost {
        let text = format!(
            "nr_free_pages 3000000\nnr_zone_inactive_anon 1000\npgfault 987654\n\
             oom_kill {n}\nnuma_hit 12345\nunevictable_pgs_culled 0\n"
        );
        self.write("proc/vmstat", text)
    }
}
