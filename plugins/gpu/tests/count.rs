//! GPUs on the PCI bus against the driver and --expected-gpus.

use npd_test_support::{assert_broken, run, Broken, FakeHost, Says};

use crate::util::{answer, GpuHost, BIN};

const A: &str = "0000:3b:00.0";
const B: &str = "0000:86:00.0";

#[test]
fn a_node_without_nvidia_gpus_is_ok_with_a_stable_message() {
    let host = FakeHost::plain();
    assert_eq!(answer(&host, &[]), (0, "no NVIDIA GPU on this node".into()));
    // NVIDIA functions that are not GPUs: an NVSwitch (bridge), a GPU's audio.
    host.pci("0000:05:00.0", "0x068000", None).pci(
        "0000:3b:00.1",
        "0x040300",
        Some("snd_hda_intel"),
    );
    assert_eq!(
        answer(&host, &["--check", "count"]),
        (0, "no NVIDIA GPU on this node".into())
    );
}

#[test]
fn gpus_all_seen_by_the_driver_are_normal() {
    let host = FakeHost::with_gpus(&[A, B]);
    assert_eq!(answer(&host, &[]), (0, "GPU count is normal".into()));
    assert_eq!(
        answer(&host, &["--expected-gpus", "2"]),
        (0, "GPU count is normal".into())
    );
}

#[test]
fn a_gpu_the_driver_does_not_see_is_named() {
    let host = FakeHost::with_gpus(&[A]);
    host.pci(B, "0x030200", None);
    assert_eq!(
        answer(&host, &[]),
        (1, format!("GPU {B} not seen by the driver"))
    );
    host.pci("0000:af:00.0", "0x030000", Some("nvidia"));
    assert_eq!(
        answer(&host, &[]),
        (1, format!("GPU {B} not seen by the driver (+1 more)"))
    );
}

#[test]
fn fewer_gpus_on_the_bus_than_expected() {
    let host = FakeHost::with_gpus(&[A, B, "0000:af:00.0"]);
    assert_eq!(
        answer(&host, &["--expected-gpus", "4"]),
        (1, "3 GPUs on the bus < expected 4".into())
    );
    let host = FakeHost::plain();
    assert_eq!(
        answer(&host, &["--expected-gpus", "1"]),
        (1, "0 GPUs on the bus < expected 1".into())
    );
}

#[test]
fn driver_not_loaded_is_unknown_unless_gpus_are_expected() {
    let host = FakeHost::plain();
    host.pci(A, "0x030200", None).pci(B, "0x030200", None);
    assert_eq!(
        answer(&host, &[]),
        (
            2,
            "NVIDIA driver not loaded: 2 GPUs on the bus not judged".into()
        )
    );
    assert_eq!(
        answer(&host, &["--expected-gpus", "2"]),
        (1, "NVIDIA driver not loaded, 2 GPUs on the bus".into())
    );
    // Missing GPUs are said first, whatever the driver.
    assert_eq!(
        answer(&host, &["--expected-gpus", "4"]),
        (1, "2 GPUs on the bus < expected 4 (+1 more)".into())
    );
}

#[test]
fn gpus_handed_to_vms_are_not_the_drivers_to_see() {
    let host = FakeHost::plain();
    host.pci(A, "0x030200", Some("vfio-pci"));
    assert_eq!(answer(&host, &[]), (0, "GPU count is normal".into()));
    host.dir("proc/driver/nvidia/gpus");
    assert_eq!(
        answer(&host, &["--expected-gpus", "1"]),
        (0, "GPU count is normal".into())
    );
}

#[test]
fn garbled_sysfs_files_are_unknown() {
    let vendor = "sys/bus/pci/devices/0000:00:1f.0/vendor";
    for (how, says) in [
        (
            Broken::Garbage(b"intel\n"),
            Says::End("vendor: garbage \"intel\""),
        ),
        (Broken::Empty, Says::End("vendor: garbage \"\"")),
        (Broken::Missing, Says::End("vendor: not found")),
        (Broken::Directory, Says::Part("vendor")),
    ] {
        let host = FakeHost::with_gpus(&[A]);
        assert_broken(BIN, &host, vendor, how, &[], says);
    }
    let host = FakeHost::with_gpus(&[A]);
    assert_broken(
        BIN,
        &host,
        &format!("sys/bus/pci/devices/{A}/class"),
        Broken::Garbage(b"0xGPU\n"),
        &["--expected-gpus", "1"],
        Says::End("class: garbage \"0xGPU\""),
    );
    let host = FakeHost::new();
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line().ends_with("sys/bus/pci/devices: not found"),
        "{}",
        r.line()
    );
}

#[test]
fn explain_shows_the_bus_and_the_driver() {
    let host = FakeHost::with_gpus(&[A]);
    host.pci(B, "0x030200", Some("vfio-pci"));
    let r = run(
        BIN,
        &[
            "--host-root",
            host.root(),
            "--explain",
            "--expected-gpus",
            "2",
        ],
    );
    assert_eq!(
        (r.code, r.line()),
        (0, "GPU count is normal"),
        "{}",
        r.stderr
    );
    npd_test_support::assert_says(
        &r.stderr,
        &[
            &format!("bus: NVIDIA GPU {A}, driver nvidia")[..],
            &format!("count: {B} is bound to vfio-pci: not judged against the driver"),
            "count: 2 GPUs on the bus, --expected-gpus 2",
            &format!("count: {A} seen by the driver"),
        ],
    );
}
