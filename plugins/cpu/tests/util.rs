//! The fake hosts npd-cpu judges: `<root>/proc/{loadavg,stat,pressure/cpu}` and
//! `<root>/sys/devices/system/cpu/online` as the kernel writes them.

use npd_test_support::FakeHost;

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-cpu");

pub trait CpuHost {
    /// A healthy 4-CPU host: 5-minute load 2.0, little pressure.
    fn healthy() -> FakeHost;
    fn loadavg(&self, one: f64, five: f64, fifteen: f64) -> &FakeHost;
    /// The online CPU list, as written (e.g. "0-3\n").
    fn online(&self, list: &str) -> &FakeHost;
    /// A /proc/stat with `cpus` cpuN lines.
    fn stat(&self, cpus: u32) -> &FakeHost;
    /// A pressure/cpu with this "some" avg10, and the zero "full" line of 5.13+.
    fn pressure(&self, some: f64) -> &FakeHost;
}

impl CpuHost for FakeHost {
    fn healthy() -> FakeHost {
        let host = FakeHost::new();
        host.loadavg(3.0, 2.0, 1.0)
            .online("0-3\n")
            .stat(4)
            .pressure(5.0);
        host
    }

    fn loadavg(&self, one: f64, five: f64, fifteen: f64) -> &FakeHost {
        let text = format!("{one:.2} {five:.2} {fifteen:.2} 3/812 40211\n");
        self.write("proc/loadavg", text)
    }

    fn online(&self, list: &str) -> &FakeHost {
        self.write("sys/devices/system/cpu/online", list)
    }

    fn stat(&self, cpus: u32) -> &FakeHost {
        let mut text = String::from("cpu  4705 356 584 3699176 23060 0 277 0 0 0\n");
        for n in 0..cpus {
            text.push_str(&format!("cpu{n} 1393 280 290 924784 2480 0 144 0 0 0\n"));
        }
        text.push_str("intr 1462898 0 9 0 0\nctxt 4156702\nbtime 1700000000\n");
        self.write("proc/stat", text)
    }

    fn pressure(&self, some: f64) -> &FakeHost {
        let text = format!(
            "some avg10={some:.2} avg60=2.00 avg300=1.00 total=98765432\n\
             full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        );
        self.write("proc/pressure/cpu", text)
    }
}
