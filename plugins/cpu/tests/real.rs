//! The plugin on this machine's own /proc and /sys (`--host-root /`): load changes
//! under the tests' feet, so they assert on limits no machine can miss and on the
//! CPU count, which must be the host's whatever this process may run on.

use std::fs;
use std::os::unix::process::CommandExt;

use crate::util::BIN;
use npd_test_support::{run, Invocation};

fn host_cpus() -> u32 {
    let text = fs::read_to_string("/sys/devices/system/cpu/online").unwrap();
    npd_cpu::cpus::count_list(&text).unwrap()
}

#[test]
fn real_load_is_judged() {
    let r = run(
        BIN,
        &[
            "--host-root",
            "/",
            "--max-load-per-cpu",
            "100000",
            "--explain",
        ],
    );
    assert_eq!((r.code, r.line()), (0, "CPU load normal"), "{}", r.stderr);
    let cpus = format!(
        "CPUs: {} online, from /sys/devices/system/cpu/online",
        host_cpus()
    );
    assert!(r.stderr.contains(&cpus), "{}", r.stderr);
}

#[test]
fn real_pressure_is_judged_or_clearly_absent() {
    npd_test_support::assert_real_psi(
        BIN,
        "cpu",
        &["--check", "psi", "--max-psi-some", "100"],
        "CPU pressure normal",
    );
}

#[test]
fn a_plugin_pinned_to_one_cpu_still_counts_the_hosts() {
    // What NPD's container with a cpuset of one CPU looks like to the plugin.
    let state = tempfile::tempdir().unwrap();
    let r = Invocation::new(
        BIN,
        &[
            "--host-root",
            "/",
            "--max-load-per-cpu",
            "100000",
            "--explain",
        ],
    )
    .state_dir(state.path())
    .setup(|cmd| {
        // SAFETY: sched_setaffinity on the child itself between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(0, &mut set);
                if libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    })
    .go();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let cpus = format!("CPUs: {} online", host_cpus());
    assert!(r.stderr.contains(&cpus), "{}", r.stderr);
}
