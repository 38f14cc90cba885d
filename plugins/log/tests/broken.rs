//! What blinds the check: Unknown (2), never a problem (1).

use std::fs;
use std::os::unix::fs::PermissionsExt;

use npd_test_support::{is_root, run, FuseMount};

use crate::util::{count_401, lines, Explained, Node, BIN};

const LOG: &str = "/var/log/keystone.log";

#[test]
fn a_missing_file_is_unknown_unless_missing_ok() {
    let n = Node::new();
    let r = n.run(&count_401());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.line(), "/var/log/keystone.log: no such file");
    let mut args = count_401();
    args.extend(["--missing", "ok"]);
    assert_eq!(n.run(&args).line(), "keystone.log: no log file");
    let glob = [
        "--file",
        "/var/log/none-*/x.log",
        "--pattern",
        "x",
        "--max-count",
        "1",
    ];
    assert_eq!(n.run(&glob).code, 2);
}

#[test]
fn a_directory_or_fifo_at_the_path_is_unknown_without_hanging() {
    let n = Node::new();
    fs::create_dir_all(n.path(LOG)).unwrap();
    let r = n.run(&count_401());
    assert_eq!(
        (r.code, r.line()),
        (2, "/var/log/keystone.log: not a regular file")
    );
    n.fifo("/var/log/fifo.log");
    let r = n.run(&[
        "--file",
        "/var/log/fifo.log",
        "--pattern",
        "x",
        "--max-count",
        "1",
    ]);
    assert_eq!(
        (r.code, r.line()),
        (2, "/var/log/fifo.log: not a regular file")
    );
}

#[test]
fn an_unreadable_file_is_unknown() {
    let n = Node::new();
    n.write(LOG, lines(1, "POST", "/v3/auth/tokens", 401));
    fs::set_permissions(n.path(LOG), fs::Permissions::from_mode(0o000)).unwrap();
    if is_root() {
        // Root reads whatever the modes say: run as nobody, with a state dir it owns.
        fs::set_permissions(n.state_dir(), fs::Permissions::from_mode(0o777)).unwrap();
        let r = n.invocation(&count_401()).as_nobody().go();
        assert_eq!(
            (r.code, r.line()),
            (2, "cannot read /var/log/keystone.log: permission denied"),
            "{}",
            r.stderr
        );
    } else {
        let r = n.run(&count_401());
        assert_eq!(
            (r.code, r.line()),
            (2, "cannot read /var/log/keystone.log: permission denied")
        );
    }
}

#[test]
fn a_state_dir_that_cannot_be_created_is_unknown() {
    let n = Node::new();
    n.write(LOG, lines(1, "POST", "/v3/auth/tokens", 401));
    // A file where a directory should be: fails for root too.
    n.write("/state-is-a-file", b"");
    let state = n.path("/state-is-a-file/sub");
    let mut args = count_401();
    args.extend([
        "--host-root",
        n.root(),
        "--state-dir",
        state.to_str().unwrap(),
    ]);
    let r = run(BIN, &args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.line().starts_with("state dir "), "{}", r.line());
}

#[test]
fn a_state_that_cannot_be_written_is_unknown() {
    let n = Node::new();
    n.write(LOG, lines(1, "POST", "/v3/auth/tokens", 401));
    let mut args = count_401();
    args.extend(["--state-key", "k"]);
    assert_eq!(n.run(&args).code, 0);
    // A directory where the state file goes: the rename fails, for root too.
    let doc = n.state_dir().join("npd-log.k.log.json");
    fs::remove_file(&doc).unwrap();
    fs::create_dir(&doc).unwrap();
    fs::write(doc.join("x"), b"").unwrap();
    n.append(LOG, lines(5, "POST", "/v3/auth/tokens", 401));
    let r = n.run(&args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.line().starts_with("cannot "), "{}", r.line());
}

#[test]
fn a_corrupt_state_is_unknown_once_then_starts_over() {
    let n = Node::new();
    n.write(LOG, lines(1, "POST", "/v3/auth/tokens", 401));
    let mut args = count_401();
    args.extend(["--state-key", "k"]);
    n.run(&args);
    fs::write(n.state_dir().join("npd-log.k.log.json"), b"{garbage").unwrap();
    let r = n.run(&args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.line().starts_with("corrupt state"), "{}", r.line());
    n.append(LOG, lines(1, "POST", "/v3/auth/tokens", 401));
    assert_eq!(n.run(&args).count(), 1);
}

#[test]
fn bad_flags_are_unknown() {
    let n = Node::new();
    for args in [
        vec!["--file", LOG, "--pattern", "(", "--max-count", "1"],
        vec!["--file", LOG, "--pattern", "x"],
        vec!["--file", LOG, "--pattern", "x", "--max-p95", "1s"],
        vec![
            "--file",
            LOG,
            "--pattern",
            "x",
            "--field",
            "u",
            "--max-p95",
            "1s",
        ],
        vec![
            "--file",
            LOG,
            "--pattern",
            "x",
            "--max-count",
            "1",
            "--window",
            "0s",
        ],
        vec![
            "--file",
            "/var/log/[x.log",
            "--pattern",
            "x",
            "--max-count",
            "1",
        ],
    ] {
        let r = n.run(&args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(
            r.line().starts_with("bad flags: ") || r.line().starts_with("--file"),
            "{args:?}: {}",
            r.line()
        );
    }
}

/// Log files on a mount that does not answer (a hung NFS /var/log): never opened,
/// listed or read here, so the answer comes in time, and it is Unknown (the log could
/// not be read), literal or wildcard, however a symlink leads there.
#[test]
fn logs_on_a_hung_mount_are_unknown_in_time() {
    let n = Node::new();
    fs::create_dir_all(n.path("/mnt/logs")).unwrap();
    let Some(_mount) = FuseMount::start_at("log on a hung mount", &n.path("/mnt/logs")) else {
        return;
    };
    std::os::unix::fs::symlink("/mnt/logs", n.path("/var/log/remote")).unwrap();
    for file in [
        "/mnt/logs/keystone.log",
        "/var/log/remote/keystone.log",
        "/mnt/logs/*/0.log",
    ] {
        let args = [
            "--file",
            file,
            "--pattern",
            "x",
            "--max-count",
            "1",
            "--timeout",
            "1s",
        ];
        let r = n.run(&args);
        assert_eq!(r.code, 2, "{file}: {}", r.line());
        assert!(
            r.line().contains("is on fuse mount /mnt/logs: not read"),
            "{}",
            r.line()
        );
        assert!(
            r.took < std::time::Duration::from_millis(1400),
            "{:?}",
            r.took
        );
    }
}
