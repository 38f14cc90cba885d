//! npd-disk on this machine's own mount table (`--host-root /`), with small tmpfs
//! mounts the tests fill and remount: usage and inodes over a limit, compared with
//! what df says, and read-only mounts. Needs root; in CI it must run, elsewhere it
//! warns and skips.

mod common;

use std::process::Command;

use common::{Bind, Tmpfs, BIN};
use npd_test_support::{run, Run};

/// df's percentage for `dir`: `pcent` or `ipcent`.
fn df(field: &str, dir: &str) -> u64 {
    let out = Command::new("df")
        .arg(format!("--output={field}"))
        .arg(dir)
        .output()
        .expect("df");
    let text = String::from_utf8_lossy(&out.stdout);
    let value = text.lines().nth(1).expect("df output");
    value.trim().trim_end_matches('%').parse().expect("df pct")
}

fn disk(state: &tempfile::TempDir, args: &[&str]) -> Run {
    let mut all = vec![
        "--host-root",
        "/",
        "--state-dir",
        state.path().to_str().unwrap(),
    ];
    all.extend(args);
    run(BIN, &all)
}

#[test]
fn blocks_used_over_the_limit_as_df_counts_them() {
    let Some(fs) = Tmpfs::mount("blocks test", "size=1m,nr_inodes=64") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let r = disk(&state, &["--path", fs.name()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    fs.fill(1_000_000);
    let pct = df("pcent", fs.name());
    assert!(pct > 90, "df says {pct}");
    let r = disk(&state, &["--path", fs.name(), "--max-used", "90"]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("{} {pct} pct used > 90", fs.name()).as_str())
    );
    // A limit is exceeded only when the value is strictly greater.
    let at = pct.to_string();
    let r = disk(&state, &["--path", fs.name(), "--max-used", &at]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Only what --check names is judged.
    let r = disk(
        &state,
        &["--path", fs.name(), "--max-used", "90", "--check", "inodes"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn inodes_used_over_the_limit_as_df_counts_them() {
    let Some(fs) = Tmpfs::mount("inodes test", "size=1m,nr_inodes=64") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    fs.touch(60);
    let pct = df("ipcent", fs.name());
    assert!(pct > 90, "df -i says {pct}");
    let r = disk(&state, &["--path", fs.name(), "--max-inodes-used", "90"]);
    assert_eq!(
        (r.code, r.line()),
        (
            1,
            format!("{} {pct} pct inodes used > 90", fs.name()).as_str()
        )
    );
    let r = disk(&state, &["--path", fs.name(), "--check", "usage,read-only"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_read_only_remount_is_a_problem() {
    let Some(fs) = Tmpfs::mount("read-only test", "size=1m,nr_inodes=64") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    fs.remount("remount,ro");
    let r = disk(&state, &["--path", fs.name()]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("{} mounted read-only", fs.name()).as_str())
    );
    let r = disk(&state, &["--path", fs.name(), "--check", "usage,inodes"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    fs.remount("remount,rw");
    let r = disk(&state, &["--path", fs.name()]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_bind_mount_of_a_filesystem_made_read_only_elsewhere_is_read_only() {
    let Some(fs) = Tmpfs::mount("bind read-only test", "size=1m,nr_inodes=64") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let bind = Bind::new(fs.path());
    // Makes the filesystem read-only; the bind mount's own options still say rw, as
    // every mount of an ext4 filesystem does once the kernel gave up on its disk.
    fs.remount("remount,ro");
    let r = disk(&state, &["--path", bind.name(), "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (1, format!("{} mounted read-only", bind.name()).as_str())
    );
    assert!(
        r.stderr.contains("read-only: mount rw, filesystem ro"),
        "{}",
        r.stderr
    );
    drop(bind);
}

#[test]
fn the_fullest_comes_first_and_one_filesystem_is_counted_once() {
    let (Some(a), Some(b)) = (
        Tmpfs::mount("ordering test", "size=1m,nr_inodes=64"),
        Tmpfs::mount("ordering test", "size=1m,nr_inodes=64"),
    ) else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    a.fill(960_000);
    b.fill(1_040_000);
    let (pa, pb) = (df("pcent", a.name()), df("pcent", b.name()));
    assert!(pa < pb && pa > 90, "{pa} {pb}");
    // A bind mount of b: the same filesystem, said once.
    let bind = Bind::new(b.path());
    let r = disk(
        &state,
        &[
            "--path",
            a.name(),
            "--path",
            bind.name(),
            "--path",
            b.name(),
            "--max-used",
            "90",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.line(),
        format!("{} {pb} pct used > 90 (+1 more)", bind.name()),
        "{}",
        r.stderr
    );
    drop(bind);
}

#[test]
fn a_filesystem_without_inodes_has_no_inode_limit() {
    // proc reports no blocks and no inodes at all.
    let state = tempfile::tempdir().unwrap();
    let r = disk(
        &state,
        &[
            "--path",
            "/proc",
            "--max-inodes-used",
            "0",
            "--max-used",
            "0",
            "--explain",
        ],
    );
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("no inode limit"), "{}", r.stderr);
}
