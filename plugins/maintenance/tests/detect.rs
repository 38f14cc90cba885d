//! The cloud from DMI fixture files; and no request at all where they name no cloud,
//! or another cloud than --cloud, unless --metadata-url is given.

use npd_test_support::{run, Server};

use crate::util::{answer, dmi, gcp, AWS_NITRO, AZURE_VM, BIN, GCE, HYPER_V};

#[test]
fn detect_follows_the_dmi_tables() {
    let server = gcp("TRUE", "NONE");
    for (values, line) in [
        (&GCE[..], "preempted: the VM is being stopped"),
        // The same server asked as AWS: GCP answers no token.
        (&AWS_NITRO[..], "IMDSv2 token: HTTP 403"),
        (&AZURE_VM[..], "scheduled events: HTTP 403"),
    ] {
        let host = dmi(values);
        let r = answer(&server, &["--host-root", host.root(), "--cloud", "detect"]);
        assert_eq!(r.1, line);
    }
    let host = dmi(&[("sys_vendor", "Xen"), ("bios_version", "4.11.amazon")]);
    let r = answer(&server, &["--host-root", host.root()]);
    assert_eq!(r.1, "IMDSv2 token: HTTP 403", "detect is the default");
}

#[test]
fn no_cloud_in_dmi_is_unknown_and_nothing_is_sent() {
    let server = Server::http(|_| npd_test_support::Reply::ok("TRUE"));
    for values in [&HYPER_V[..], &[("sys_vendor", "QEMU")][..], &[][..]] {
        let host = dmi(values);
        let r = answer(&server, &["--host-root", host.root(), "--cloud", "detect"]);
        assert_eq!(r.0, 2, "{values:?}");
        assert!(r.1.starts_with("no cloud in DMI (sys_vendor "), "{}", r.1);
    }
    assert_eq!(server.requests(), Vec::<String>::new());
}

/// Without --metadata-url the cloud's own address would be asked: only on that
/// cloud's VMs. These hosts name no cloud or another, so nothing is sent anywhere.
#[test]
fn the_default_address_is_asked_only_where_dmi_names_the_cloud() {
    for (cloud, values) in [
        ("aws", &HYPER_V[..]),
        ("gcp", &AWS_NITRO[..]),
        ("azure", &GCE[..]),
        ("azure", &HYPER_V[..]),
    ] {
        let host = dmi(values);
        let r = run(
            BIN,
            &["--host-root", host.root(), "--cloud", cloud, "--explain"],
        );
        assert_eq!(r.code, 2, "{cloud}: {}", r.stdout);
        assert!(
            r.line().starts_with(&format!("DMI names no {cloud} VM")),
            "{}",
            r.line()
        );
        assert!(!r.stderr.contains("169.254"), "{}", r.stderr);
    }
    // Without DMI tables at all, detect asks nothing either.
    let host = dmi(&[]);
    let r = run(BIN, &["--host-root", host.root()]);
    assert_eq!(r.code, 2);
}
