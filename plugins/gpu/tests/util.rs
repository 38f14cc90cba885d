//! The fake hosts npd-gpu judges: PCI functions in sysfs, the NVIDIA driver's
//! directory in procfs, the kernel log as a file of records, the boot id.

use npd_test_support::{run_in, FakeHost};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-gpu");

pub const BOOT_ID: &str = "proc/sys/kernel/random/boot_id";
pub const KMSG: &str = "dev/kmsg";

pub trait GpuHost {
    /// A host with a PCI bus holding one Intel bridge and no GPU, no NVIDIA driver, an
    /// empty kernel log, boot id `b007-0001`.
    fn plain() -> FakeHost;
    /// [`GpuHost::plain`] with the driver loaded and these GPUs on the bus, bound to
    /// it and seen by it.
    fn with_gpus(addrs: &[&str]) -> FakeHost;
    /// A PCI function of NVIDIA's with `class`, bound to `driver`.
    fn pci(&self, addr: &str, class: &str, driver: Option<&str>) -> &FakeHost;
    /// The driver lists `addr` in /proc/driver/nvidia/gpus.
    fn driver_sees(&self, addr: &str) -> &FakeHost;
    /// Appends kernel log records: `(seq, message)`.
    fn log(&self, records: &[(u64, &str)]) -> &FakeHost;
    fn reboot(&self, boot_id: &str) -> &FakeHost;
}

impl GpuHost for FakeHost {
    fn plain() -> FakeHost {
        let host = FakeHost::new();
        host.write(BOOT_ID, "b007-0001\n")
            .write("proc/uptime", "5000.00 100.00\n")
            .write(KMSG, "");
        let bridge = "sys/bus/pci/devices/0000:00:1f.0";
        host.write(&format!("{bridge}/vendor"), "0x8086\n")
            .write(&format!("{bridge}/class"), "0x060100\n");
        host
    }

    fn with_gpus(addrs: &[&str]) -> FakeHost {
        let host = FakeHost::plain();
        host.dir("proc/driver/nvidia/gpus");
        for addr in addrs {
            host.pci(addr, "0x030200", Some("nvidia")).driver_sees(addr);
        }
        host
    }

    fn pci(&self, addr: &str, class: &str, driver: Option<&str>) -> &FakeHost {
        let dev = format!("sys/bus/pci/devices/{addr}");
        self.write(&format!("{dev}/vendor"), "0x10de\n")
            .write(&format!("{dev}/class"), format!("{class}\n"));
        if let Some(d) = driver {
            self.symlink(
                &format!("{dev}/driver"),
                &format!("../../../bus/pci/drivers/{d}"),
            );
        }
        self
    }

    fn driver_sees(&self, addr: &str) -> &FakeHost {
        self.write(
            &format!("proc/driver/nvidia/gpus/{addr}/information"),
            "Model: \t\t NVIDIA A100-SXM4-80GB\nBus Location: \t 0000:3b:00.0\n",
        )
    }

    fn log(&self, records: &[(u64, &str)]) -> &FakeHost {
        let mut text = String::new();
        for (seq, message) in records {
            text.push_str(&format!("4,{seq},{},-;{message}\n", seq * 1000));
            text.push_str(" SUBSYSTEM=pci\n");
        }
        self.append(KMSG, text)
    }

    fn reboot(&self, boot_id: &str) -> &FakeHost {
        self.write(BOOT_ID, format!("{boot_id}\n")).write(KMSG, "")
    }
}

/// Runs the binary on `host` with `args`: (exit code, line).
pub fn answer(host: &FakeHost, args: &[&str]) -> (i32, String) {
    host.answer(BIN, args)
}

/// As [`answer`], with a state dir kept across runs.
pub fn answer_in(host: &FakeHost, state: &std::path::Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["--host-root", host.root()];
    all.extend_from_slice(args);
    let r = run_in(BIN, state, &all);
    (r.code, r.line().to_string())
}

/// An XID line as the driver writes it.
pub fn xid_line(gpu: &str, xid: u32) -> String {
    format!("NVRM: Xid (PCI:{gpu}): {xid}, pid=4242, name=python3, GPU error")
}
