//! Judgements on unit states the test sets on the mock systemd: active is OK with a
//! stable message, failed, activating too long and inactive are problems naming the
//! unit, a unit without a file is Unknown unless allowed, several units, --explain.

use std::time::Duration;

use serde_json::json;

use crate::util::{available, running, service, HostBus};

const MIN: Duration = Duration::from_secs(60);

#[test]
fn an_active_unit_is_ok_with_a_stable_message() {
    if !available("an_active_unit_is_ok_with_a_stable_message") {
        return;
    }
    let bus = HostBus::with_systemd(json!({"kubelet.service": running(0)}));
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service"]),
        (0, "kubelet.service is healthy".into())
    );
    // Another state that is fine, and a name without its suffix, say the same.
    bus.units(
        json!({"kubelet.service": service("deactivating", "stop-sigterm", "success", 7, MIN)}),
    );
    assert_eq!(
        bus.answer(&["--unit", "kubelet"]),
        (0, "kubelet.service is healthy".into())
    );
}

#[test]
fn a_failed_unit_is_a_problem_naming_why() {
    if !available("a_failed_unit_is_a_problem_naming_why") {
        return;
    }
    let bus = HostBus::with_systemd(json!({
        "kubelet.service": service("failed", "failed", "exit-code", 0, MIN),
        "containerd.service": running(0),
    }));
    assert_eq!(
        bus.answer(&["--unit", "containerd.service", "--unit", "kubelet.service"]),
        (1, "kubelet.service failed (exit-code)".into())
    );
    // Failed is a problem even where inactive is allowed.
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service", "--allow-inactive"])
            .0,
        1
    );
}

#[test]
fn activating_longer_than_the_limit_is_a_problem() {
    if !available("activating_longer_than_the_limit_is_a_problem") {
        return;
    }
    let bus = HostBus::with_systemd(json!({
        "kubelet.service": service("activating", "start", "success", 0, 7 * MIN),
    }));
    let (code, line) = bus.answer(&["--unit", "kubelet.service"]);
    assert_eq!(code, 1, "{line}");
    assert!(
        line.starts_with("kubelet.service activating (start) for 7m") && line.ends_with(" > 5m"),
        "{line}"
    );
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service", "--max-activating", "10m"]),
        (0, "kubelet.service is healthy".into())
    );
    // A service waiting between restarts since it left active.
    let mut looping = service("activating", "auto-restart", "exit-code", 40, 30 * MIN);
    looping["Unit"]["ActiveExitTimestampMonotonic"] =
        json!(crate::util::monotonic_us() - 6 * 60_000_000);
    bus.units(json!({"kubelet.service": looping}));
    let (code, line) = bus.answer(&["--unit", "kubelet.service"]);
    assert_eq!(code, 1, "{line}");
    assert!(
        line.starts_with("kubelet.service activating (auto-restart) for 6m"),
        "{line}"
    );
}

#[test]
fn inactive_is_a_problem_unless_allowed() {
    if !available("inactive_is_a_problem_unless_allowed") {
        return;
    }
    let bus = HostBus::with_systemd(json!({
        "kubelet.service": service("inactive", "dead", "success", 0, MIN),
    }));
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service"]),
        (1, "kubelet.service inactive (dead) but should run".into())
    );
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service", "--allow-inactive"]),
        (0, "kubelet.service is healthy".into())
    );
    let mut masked = service("inactive", "dead", "success", 0, MIN);
    masked["Unit"]["LoadState"] = json!("masked");
    bus.units(json!({"kubelet.service": masked}));
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service"]),
        (1, "kubelet.service inactive, masked, but should run".into())
    );
}

#[test]
fn a_unit_without_a_file_is_unknown_unless_allowed() {
    if !available("a_unit_without_a_file_is_unknown_unless_allowed") {
        return;
    }
    // Not in the mock: LoadState not-found, as systemd answers LoadUnit.
    let bus = HostBus::with_systemd(json!({
        "containerd.service": running(0),
        "gone.service": "NoSuchUnit",
    }));
    assert_eq!(
        bus.answer(&["--unit", "kubelet.service", "--max-output", "200"]),
        (
            2,
            "kubelet.service: no such unit here (--allow-missing if expected)".into()
        )
    );
    assert_eq!(bus.answer(&["--unit", "gone.service"]).0, 2);
    assert_eq!(
        bus.answer(&[
            "--unit",
            "kubelet.service",
            "--unit",
            "containerd.service",
            "--allow-missing",
        ]),
        (
            0,
            "containerd.service is healthy; kubelet.service not installed".into()
        )
    );
}

#[test]
fn a_problem_wins_over_a_unit_that_could_not_be_read() {
    if !available("a_problem_wins_over_a_unit_that_could_not_be_read") {
        return;
    }
    let bus = HostBus::with_systemd(json!({
        "kubelet.service": service("failed", "failed", "signal", 0, MIN),
        "a.service": running(0),
        "b.service": service("inactive", "dead", "success", 0, MIN),
    }));
    assert_eq!(
        bus.answer(&["--unit", "missing.service", "--unit", "kubelet.service"]),
        (1, "kubelet.service failed (signal)".into())
    );
    assert_eq!(
        bus.answer(&["--unit", "kubelet", "--unit", "a", "--unit", "b"]),
        (1, "kubelet.service failed (signal) (+1 more)".into())
    );
    assert_eq!(
        bus.answer(&["--unit", "a", "--unit", "b", "--allow-inactive"]),
        (0, "a.service and b.service are healthy".into())
    );
}

#[test]
fn explain_prints_what_systemd_said_and_the_rule() {
    if !available("explain_prints_what_systemd_said_and_the_rule") {
        return;
    }
    let bus = HostBus::with_systemd(json!({"kubelet.service": running(2)}));
    let r = bus.run(&["--unit", "kubelet.service", "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (0, "kubelet.service is healthy"),
        "{}",
        r.stderr
    );
    npd_test_support::assert_says(
        &r.stderr,
        &[
            "kubelet.service: LoadState loaded, ActiveState active, SubState running, \
         Result success, NRestarts 2",
            "answer: OK (kubelet.service is healthy)",
        ],
    );
}
