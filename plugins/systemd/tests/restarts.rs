//! NRestarts counted across runs in the state dir: the first run records, growth past
//! the limit within the window is a problem, it ages out, and a reboot, a count that
//! went down or a broken state dir start over (the last one Unknown).

use std::time::Duration;

use serde_json::json;

use crate::util::{available, running, BootHost, HostBus};

const MINUTE: Duration = Duration::from_secs(60);

const RULE: [&str; 6] = [
    "--unit",
    "kubelet.service",
    "--max-restarts",
    "3",
    "--within",
    "30m",
];

fn restarts(bus: &HostBus, n: u32, uptime_s: u64) -> (i32, String) {
    bus.units(json!({"kubelet.service": running(n)}));
    bus.host.boot("b0", uptime_s);
    bus.answer(&RULE)
}

#[test]
fn restarts_past_the_limit_within_the_window_are_a_problem() {
    if !available("restarts_past_the_limit_within_the_window_are_a_problem") {
        return;
    }
    let bus = HostBus::with_systemd(json!({}));
    let ok = (0, "kubelet.service is healthy".to_string());
    // The first run records: 50 restarts before it are not counted.
    assert_eq!(restarts(&bus, 50, 1000), ok);
    assert_eq!(restarts(&bus, 52, 1030), ok);
    assert_eq!(restarts(&bus, 53, 1060), ok);
    // A loop between two runs: a jump of 4 is over the limit of 3 in 30m.
    let over = (
        1,
        "kubelet.service restarted 4 times in 30m > max 3".to_string(),
    );
    assert_eq!(restarts(&bus, 54, 1090), over);
    assert_eq!(restarts(&bus, 54, 1120), over);
    // 30m after the run that saw the first two, they age out.
    assert_eq!(restarts(&bus, 54, 1030 + 1800), ok);
}

#[test]
fn a_reboot_or_a_reset_starts_the_count_afresh() {
    if !available("a_reboot_or_a_reset_starts_the_count_afresh") {
        return;
    }
    let bus = HostBus::with_systemd(json!({}));
    assert_eq!(restarts(&bus, 0, 100).0, 0);
    assert_eq!(restarts(&bus, 9, 130).0, 1);
    // A new boot: what was kept means nothing, and the new count is a baseline.
    bus.units(json!({"kubelet.service": running(20)}));
    bus.host.boot("b1", 60);
    assert_eq!(bus.answer(&RULE).0, 0);
    assert_eq!(restarts(&bus, 0, 60).0, 0);
    // NRestarts went down (the unit was stopped and started): only recorded.
    bus.host.boot("b1", 90);
    assert_eq!(bus.answer(&RULE).0, 0);
    assert_eq!(restarts(&bus, 2, 120).0, 0);
    assert_eq!(restarts(&bus, 6, 150).0, 1);
}

#[test]
fn restart_counts_without_state_are_unknown() {
    if !available("restart_counts_without_state_are_unknown") {
        return;
    }
    let bus = HostBus::with_systemd(json!({"kubelet.service": running(5)}));
    let file = bus.state.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let mut args = vec!["--host-root", bus.root(), "--state-dir"];
    let dir = file.display().to_string();
    args.push(&dir);
    args.extend_from_slice(&RULE);
    let r = npd_test_support::run(crate::util::BIN, &args);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.line().starts_with("restart counts need state"),
        "{}",
        r.stdout
    );
    // Without --max-restarts, no state is needed.
    let r = npd_test_support::run(
        crate::util::BIN,
        &[
            "--host-root",
            bus.root(),
            "--state-dir",
            &dir,
            "--unit",
            "kubelet",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_service_without_nrestarts_is_unknown_for_restarts() {
    if !available("a_service_without_nrestarts_is_unknown_for_restarts") {
        return;
    }
    let mut old = running(0);
    old["Service"].as_object_mut().unwrap().remove("NRestarts");
    let bus = HostBus::with_systemd(json!({"kubelet.service": old}));
    assert_eq!(
        bus.answer(&RULE),
        (
            2,
            "kubelet.service: no NRestarts (systemd before 235)".into()
        )
    );
    assert_eq!(bus.answer(&["--unit", "kubelet.service"]).0, 0);
}

#[test]
fn only_restarts_leaves_the_state_to_another_rule() {
    if !available("only_restarts_leaves_the_state_to_another_rule") {
        return;
    }
    let failed = |n| crate::util::service("failed", "failed", "exit-code", n, MINUTE);
    let bus = HostBus::with_systemd(json!({"kubelet.service": failed(1)}));
    let mut args = RULE.to_vec();
    args.push("--only-restarts");
    bus.host.boot("b0", 100);
    assert_eq!(bus.answer(&args), (0, "kubelet.service is healthy".into()));
    assert_eq!(bus.answer(&RULE).0, 1);
    // The loop that left it failed is still one.
    bus.units(json!({"kubelet.service": failed(6)}));
    bus.host.boot("b0", 130);
    assert_eq!(
        bus.answer(&args),
        (1, "kubelet.service restarted 5 times in 30m > max 3".into())
    );
}
