//! What the shipped configs mean on a node, beyond their wiring:
//! - NPD's kernel log monitors are back, with NPD's condition types, reasons and event
//!   sources (what alerts, draino lists and event queries written for stock NPD match),
//!   and each kernel rule matches the kernel lines it is for and no healthy one;
//! - a restart of NPD (every ConfigMap change rolls the DaemonSet) does not publish False
//!   over a real problem;
//! - kube-proxy is probed on /livez, which a node being scaled down does not fail.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use crate::common::{configs, parse, rules, CUSTOM};
use crate::draino;
use crate::manifests;

/// NPD v1.36's kernel-monitor.json and readonly-monitor.json: condition types with the
/// reasons of their rules, and the reasons of their events (temporary rules).
const NPD_KERNEL_CONDITIONS: [(&str, &str); 4] = [
    ("KernelDeadlock", "DockerHung"),
    ("XfsShutdown", "XfsHasShutdown"),
    ("CperHardwareErrorFatal", "CperHardwareErrorFatal"),
    ("ReadonlyFilesystem", "FilesystemIsReadOnly"),
];
const NPD_KERNEL_EVENTS: [&str; 10] = [
    "OOMKilling",
    "TaskHung",
    "UnregisterNetDevice",
    "KernelOops",
    "Ext4Error",
    "Ext4Warning",
    "IOError",
    "MemoryReadError",
    "CperHardwareErrorCorrected",
    "CperHardwareErrorRecoverable",
];

#[test]
fn the_base_raises_what_npds_kernel_monitors_raise() {
    let base: BTreeSet<String> = manifests::base_configs().into_iter().collect();
    let mine: Vec<_> = rules()
        .into_iter()
        .filter(|r| base.contains(&r.file))
        .collect();
    for (condition, reason) in NPD_KERNEL_CONDITIONS {
        assert!(
            mine.iter().any(|r| r.kind == "permanent"
                && r.condition.as_deref() == Some(condition)
                && r.reason == reason),
            "no config of the base sets {condition} with reason {reason}, as NPD's kernel \
             monitors do"
        );
    }
    for reason in NPD_KERNEL_EVENTS {
        assert!(
            mine.iter().any(|r| r.kind == "temporary"
                && r.reason == reason
                && r.file == "kernel-monitor.json"),
            "kernel-monitor.json does not emit {reason}, as NPD's kernel monitor does"
        );
    }
    // Events keep NPD's sources, so `--field-selector source=kernel-monitor` still works.
    for (file, source) in [
        ("kernel-monitor.json", "kernel-monitor"),
        ("readonly-monitor.json", "readonly-monitor"),
    ] {
        let config = parse(&crate::common::repo().join("npd-config").join(file));
        assert_eq!(config["source"], source, "{file}");
        assert!(base.contains(file), "the base does not load {file}");
    }
}

/// Kernel lines as kernels print them (after the priority and timestamp that the kmsg
/// reader strips), and the (config, reason) that must answer each.
const KERNEL_LINES: [(&str, &[(&str, &str)]); 16] = [
    ("Out of memory: Killed process 4321 (python3) total-vm:3145728kB, anon-rss:2097152kB, file-rss:1024kB, shmem-rss:0kB, UID:1000 pgtables:4200kB oom_score_adj:1000",
     &[("kernel-monitor.json", "OOMKilling")]),
    ("Memory cgroup out of memory: Killed process 77 (java) total-vm:900kB, anon-rss:800kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:-997",
     &[("kernel-monitor.json", "OOMKilling")]),
    ("INFO: task jbd2/sda1-8:345 blocked for more than 122 seconds.",
     &[("kernel-monitor.json", "TaskHung")]),
    ("INFO: task docker:5678 blocked for more than 120 seconds.",
     &[("kernel-monitor.json", "TaskHung"), ("kernel-monitor-conditions.json", "DockerHung")]),
    ("unregister_netdevice: waiting for eth0 to become free. Usage count = 1",
     &[("kernel-monitor.json", "UnregisterNetDevice")]),
    ("BUG: unable to handle kernel NULL pointer dereference at 0000000000000010",
     &[("kernel-monitor.json", "KernelOops")]),
    ("BUG: kernel NULL pointer dereference, address: 0000000000000010",
     &[("kernel-monitor.json", "KernelOops")]),
    ("divide error: 0000 [#1] SMP", &[("kernel-monitor.json", "KernelOops")]),
    ("Oops: divide error: 0000 [#1] PREEMPT SMP NOPTI", &[("kernel-monitor.json", "KernelOops")]),
    ("EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
     &[("kernel-monitor.json", "Ext4Error")]),
    ("Buffer I/O error on dev sda1, logical block 0, async page read",
     &[("kernel-monitor.json", "IOError")]),
    ("XFS (sdb): Log I/O Error (0x2) detected at xlog_ioend_work+0x6e/0x70 [xfs] (fs/xfs/xfs_log.c:1296).  Shutting down filesystem.",
     &[("kernel-monitor-conditions.json", "XfsHasShutdown")]),
    ("EXT4-fs (sda1): Remounting filesystem read-only",
     &[("readonly-monitor.json", "FilesystemIsReadOnly")]),
    ("EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0_Chan#1_DIMM#0 (channel:1 slot:0 page:0x3f offset:0x0 grain:32 syndrome:0x0)",
     &[("kernel-monitor.json", "MemoryReadError")]),
    ("{1}[Hardware Error]: event severity: recoverable",
     &[("kernel-monitor.json", "CperHardwareErrorRecoverable")]),
    ("{1}[Hardware Error]: event severity: fatal",
     &[("kernel-monitor-conditions.json", "CperHardwareErrorFatal")]),
];

/// Lines of a healthy node that no rule may match.
const HEALTHY_LINES: [&str; 6] = [
    "EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: none.",
    "XFS (sdb): Mounting V5 Filesystem 0b5c3f3e-8c1e-4a5e-9a43-3f4b6b5e6f70",
    "{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0",
    "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
    "systemd[1]: Started containerd.service - containerd container runtime.",
    "oom_reaper: reaped process 4321 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
];

/// NPD matches a rule's pattern against the end of its line buffer (`pattern\z`).
#[test]
fn kernel_rules_match_the_lines_they_are_for_and_no_healthy_one() {
    let log_rules: Vec<_> = rules().into_iter().filter(|r| !r.runs_a_plugin()).collect();
    assert!(!log_rules.is_empty(), "no kernel log rule in npd-config/");
    let compiled: Vec<_> = log_rules
        .iter()
        .map(|r| {
            let re = regex_lite::Regex::new(&format!("{}\\z", r.pattern))
                .unwrap_or_else(|e| panic!("{}: {}: {e}", r.file, r.pattern));
            (r.file.as_str(), r.reason.as_str(), re)
        })
        .collect();
    let answers = |line: &str| -> BTreeSet<(String, String)> {
        compiled
            .iter()
            .filter(|(_, _, re)| re.is_match(line))
            .map(|(f, r, _)| (f.to_string(), r.to_string()))
            .collect()
    };
    for (line, expected) in KERNEL_LINES {
        let expected: BTreeSet<(String, String)> = expected
            .iter()
            .map(|(f, r)| (f.to_string(), r.to_string()))
            .collect();
        assert_eq!(answers(line), expected, "kernel line {line:?}");
    }
    for line in HEALTHY_LINES {
        assert!(
            answers(line).is_empty(),
            "healthy line {line:?} matches {:?}",
            answers(line)
        );
    }
}

/// Go's time.ParseDuration for the forms the configs use: <digits><h|m|s>...
fn go_duration(text: &str) -> Duration {
    let mut total = 0u64;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits
            .parse()
            .unwrap_or_else(|_| panic!("duration {text:?}"));
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => panic!("duration {text:?}"),
        };
        digits.clear();
    }
    assert!(digits.is_empty(), "duration {text:?}");
    Duration::from_secs(total)
}

/// NPD publishes every default condition as False when it starts, unless a custom
/// plugin monitor says `skip_initial_status`; its first round of rules then publishes
/// the config's conditions, so a config with drain-worthy conditions runs every rule of
/// that round at once (concurrency >= rules). A system log monitor has no such option:
/// the configs that set conditions re-read the kernel log since boot (a lookback longer
/// than any uptime), so a restart sets them again from the lines that set them, and
/// carry no event rule, which the same re-reading would repeat.
#[test]
fn conditions_survive_an_npd_restart() {
    let drain_worthy = draino::readme_drain_worthy();
    let base: BTreeSet<String> = manifests::base_configs().into_iter().collect();
    for path in configs() {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let config: Value = parse(&path);
        let rules = config["rules"].as_array().cloned().unwrap_or_default();
        let kinds = |kind: &str| rules.iter().filter(|r| r["type"] == kind).count();
        let conditions: Vec<&str> = rules
            .iter()
            .filter(|r| r["type"] == "permanent")
            .filter_map(|r| r["condition"].as_str())
            .collect();
        if config["plugin"] == CUSTOM {
            let worthy = conditions.iter().any(|c| drain_worthy.contains(*c));
            if kinds("permanent") > 0 && (worthy || base.contains(&file)) {
                assert_eq!(
                    config["pluginConfig"]["skip_initial_status"], true,
                    "{file}: a restart would publish its conditions False before the first run: \
                     set pluginConfig.skip_initial_status"
                );
            }
            if worthy {
                let concurrency = config["pluginConfig"]["concurrency"].as_u64().unwrap_or(3);
                assert!(
                    concurrency as usize >= rules.len(),
                    "{file}: concurrency {concurrency} < {} rules: the first round's later rules \
                     would leave their drain-worthy conditions at the default False meanwhile",
                    rules.len()
                );
            }
            continue;
        }
        let lookback = go_duration(config["lookback"].as_str().unwrap_or("0s"));
        if kinds("permanent") > 0 {
            assert_eq!(
                kinds("temporary"),
                0,
                "{file}: conditions and events in one log monitor"
            );
            assert!(
                lookback >= Duration::from_secs(8760 * 3600),
                "{file}: lookback {lookback:?}: a restart would clear its conditions"
            );
        } else {
            assert!(
                lookback <= Duration::from_secs(300),
                "{file}: lookback {lookback:?}: a restart would repeat that much of its events"
            );
        }
    }
}

/// kube-proxy's /healthz fails on purpose while its node is being deleted or is tainted
/// ToBeDeletedByClusterAutoscaler (for load balancers to drain it); /livez does not.
#[test]
fn kube_proxy_is_probed_on_livez_and_conditions_name_the_path_they_probe() {
    let mut kube_proxy = 0;
    for rule in rules()
        .into_iter()
        .filter(|r| r.path.ends_with("/npd-http"))
    {
        let url = rule
            .args
            .iter()
            .skip_while(|a| *a != "--url")
            .nth(1)
            .cloned()
            .unwrap_or_default();
        if url.contains(":10256/") {
            kube_proxy += 1;
            assert!(
                url.ends_with(":10256/livez"),
                "{}: kube-proxy probed on {url}: its /healthz fails on every node being scaled \
                 down; probe /livez",
                rule.file
            );
        }
        let path = url
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let named = rule.condition.clone().unwrap_or_default() + &rule.reason;
        for word in ["Healthz", "Livez", "Readyz"] {
            if named.contains(word) {
                assert_eq!(
                    path,
                    word.to_ascii_lowercase(),
                    "{}: {named} probes {url}",
                    rule.file
                );
            }
        }
    }
    assert_eq!(kube_proxy, 1, "one rule probes kube-proxy");
}
