//! Azure: Scheduled Events, counted only for this VM, each event type.

use npd_test_support::{Reply, Server};

use crate::util::{answer, ask, azure, azure_event, document, DEC_1};

const AT: &str = "Thu, 03 Dec 2026 02:00:00 GMT";

#[test]
fn no_events_is_ok_without_asking_the_vm_name() {
    let server = azure(document(&[]), "aks-nodepool1-vmss_0");
    assert_eq!(
        answer(&server, &["--cloud", "azure"]),
        (0, "no disruptive event scheduled".into())
    );
    let heads = server.requests();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].contains("Metadata: true"), "{heads:?}");
}

#[test]
fn each_event_type_for_this_vm() {
    for (kind, counted) in [
        ("Reboot", true),
        ("Redeploy", true),
        ("Preempt", true),
        ("Terminate", true),
        ("Freeze", false),
    ] {
        let doc = document(&[azure_event(kind, r#""vm_0""#, "Scheduled", AT)]);
        let server = azure(doc, "vm_0");
        let expected = if counted {
            (1, format!("{kind} scheduled 2026-12-03T02:00Z"))
        } else {
            (0, "no disruptive event scheduled".to_string())
        };
        assert_eq!(answer(&server, &["--cloud", "azure"]), expected, "{kind}");
    }
    let doc = document(&[azure_event("Freeze", r#""vm_0""#, "Scheduled", AT)]);
    let server = azure(doc, "vm_0");
    assert_eq!(
        answer(&server, &["--cloud", "azure", "--events", "freeze"]).0,
        1
    );
}

#[test]
fn events_for_other_vms_do_not_count() {
    let doc = document(&[
        azure_event("Reboot", r#""vm_1", "vm_2""#, "Scheduled", AT),
        azure_event("Preempt", "", "Started", ""),
    ]);
    let server = azure(doc.clone(), "vm_0");
    assert_eq!(answer(&server, &["--cloud", "azure"]).0, 0);
    assert_eq!(server.requests().len(), 2, "the VM's name is asked once");
    // --vm-name instead of the instance metadata.
    let server = azure(doc, "vm_0");
    assert_eq!(
        answer(&server, &["--cloud", "azure", "--vm-name", "VM_2"]),
        (1, "Reboot scheduled 2026-12-03T02:00Z".into())
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_started_event_counts_whatever_within_says() {
    let doc = document(&[
        azure_event("Reboot", r#""vm_0""#, "Scheduled", AT),
        azure_event("Preempt", r#""vm_0""#, "Started", ""),
    ]);
    let server = azure(doc, "vm_0");
    assert_eq!(
        answer(
            &server,
            &[
                "--cloud",
                "azure",
                "--within",
                "1h",
                "--test-wall-clock",
                DEC_1
            ]
        ),
        (1, "Preempt started".into())
    );
}

#[test]
fn garbage_and_unknown_entries_are_unknown() {
    let server = azure("[]".into(), "vm_0");
    assert_eq!(
        answer(&server, &["--cloud", "azure"]),
        (2, "scheduled events: unexpected answer \"[]\"".into())
    );
    let doc = document(&[azure_event("Explode", r#""vm_0""#, "Scheduled", AT)]);
    let server = azure(doc, "vm_0");
    assert_eq!(
        answer(&server, &["--cloud", "azure"]),
        (2, "scheduled event: unknown EventType \"Explode\"".into())
    );
    let doc = document(&[azure_event("Reboot", r#""vm_0""#, "Scheduled", "tomorrow")]);
    let server = azure(doc, "vm_0");
    assert_eq!(
        answer(&server, &["--cloud", "azure"]),
        (2, "Reboot: NotBefore is no date".into())
    );
}

#[test]
fn a_vm_name_that_cannot_be_had_is_unknown() {
    let doc = document(&[azure_event("Reboot", r#""vm_0""#, "Scheduled", AT)]);
    let server = Server::http(move |r| {
        if r.path().starts_with("/metadata/scheduledevents") {
            Reply::ok(doc.clone())
        } else {
            Reply::status(500, "", "")
        }
    });
    let r = ask(&server, &["--cloud", "azure"]);
    assert_eq!((r.code, r.line()), (2, "instance compute/name: HTTP 500"));
}
