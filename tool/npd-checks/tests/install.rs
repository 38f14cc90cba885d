//! `npd-checks install` end to end, on fake bin directories: what is copied, with what
//! mode, replaced by rename, and the clear failures.
//!
//! Where a new test belongs: anything about delivering binaries into place.

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use common::{npd_checks, run_in};

const LIMIT: Duration = Duration::from_secs(30);

fn file(dir: &Path, name: &str, body: &str, mode: u32) {
    fs::write(dir.join(name), body).unwrap();
    fs::set_permissions(dir.join(name), fs::Permissions::from_mode(mode)).unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn copies_every_npd_executable_and_nothing_else() {
    let from = tempfile::tempdir().unwrap();
    let to = tempfile::tempdir().unwrap();
    let f = from.path();
    file(f, "npd-a", "binary a", 0o700);
    file(f, "npd-b", "binary b", 0o755);
    file(f, "npd-b.d", "a dependency file", 0o644);
    file(f, "npd-readme", "not executable", 0o644);
    file(f, "other", "executable, not ours", 0o755);
    fs::create_dir(f.join("npd-dir")).unwrap();
    let dest = to.path().join("opt/npd-checks/bin");
    let out = run_in(
        f,
        &[
            "install",
            "--from",
            f.to_str().unwrap(),
            "--to",
            dest.to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(names(&dest), ["npd-a", "npd-b"]);
    for name in ["npd-a", "npd-b"] {
        let meta = fs::metadata(dest.join(name)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o7777, 0o755, "{name}");
        assert_eq!(
            fs::read(dest.join(name)).unwrap(),
            fs::read(f.join(name)).unwrap()
        );
    }
    assert_eq!(
        out.stdout,
        format!(
            "installed npd-a (8 bytes) -> {d}/npd-a\ninstalled npd-b (8 bytes) -> {d}/npd-b\n\
             2 files installed into {d}\n",
            d = dest.display()
        )
    );
}

#[test]
fn an_installed_file_is_replaced_by_rename_not_rewritten() {
    let from = tempfile::tempdir().unwrap();
    let to = tempfile::tempdir().unwrap();
    file(from.path(), "npd-a", "new", 0o755);
    file(to.path(), "npd-a", "old", 0o755);
    let before = fs::metadata(to.path().join("npd-a")).unwrap().ino();
    // A reader holding the old file keeps seeing the old bytes.
    let held = fs::File::open(to.path().join("npd-a")).unwrap();
    let out = run_in(
        from.path(),
        &[
            "install",
            "--from",
            from.path().to_str().unwrap(),
            "--to",
            to.path().to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(fs::read_to_string(to.path().join("npd-a")).unwrap(), "new");
    assert_ne!(fs::metadata(to.path().join("npd-a")).unwrap().ino(), before);
    assert_eq!(held.metadata().unwrap().len(), 3);
    assert_eq!(
        names(to.path()),
        ["npd-a"],
        "no temporary file is left behind"
    );
}

#[test]
fn by_default_it_installs_from_its_own_directory_itself_included() {
    let from = tempfile::tempdir().unwrap();
    let to = tempfile::tempdir().unwrap();
    let own = from.path().join("npd-checks");
    fs::copy(npd_checks(), &own).unwrap();
    file(from.path(), "npd-disk", "disk", 0o755);
    let out = std::process::Command::new(&own)
        .args(["install", "--to", to.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(names(to.path()), ["npd-checks", "npd-disk"]);
}

#[test]
fn nothing_to_install_is_a_clear_failure() {
    let empty = tempfile::tempdir().unwrap();
    let to = tempfile::tempdir().unwrap();
    file(empty.path(), "other", "x", 0o755);
    let out = run_in(
        empty.path(),
        &[
            "install",
            "--from",
            empty.path().to_str().unwrap(),
            "--to",
            to.path().to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no npd-* executables in"),
        "{}",
        out.stderr
    );

    let missing = empty.path().join("no-such-dir");
    let out = run_in(
        empty.path(),
        &[
            "install",
            "--from",
            missing.to_str().unwrap(),
            "--to",
            to.path().to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read --from"), "{}", out.stderr);

    let out = run_in(empty.path(), &["install"], LIMIT);
    assert_eq!(out.code, 2, "--to is required");
}
