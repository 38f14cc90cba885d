//! A FUSE mount that never answers (tests/fixtures/hangfs.py at the repository's
//! top): npd-file answers by --timeout with stdout closed, and repeated runs leave at
//! most one stuck helper. Needs root, FUSE and python3-fusepy.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{cannot, is_root, run_in};

/// Beyond --timeout: process start, the answer, the test's own scheduling.
const MARGIN: Duration = Duration::from_millis(400);

struct HungMount {
    dir: tempfile::TempDir,
    daemon: Child,
}

impl HungMount {
    fn start(test: &str) -> Option<HungMount> {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/hangfs.py"
        );
        if !is_root() {
            cannot(test, "not root");
            return None;
        }
        if !Path::new("/dev/fuse").exists() || !Path::new(script).exists() {
            cannot(test, "no /dev/fuse or no hangfs.py");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let daemon = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start hangfs.py");
        let mount = HungMount { dir, daemon };
        let want = format!(" {} ", mount.dir.path().display());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
            if table
                .lines()
                .any(|l| l.contains(&want) && l.contains("fuse"))
            {
                return Some(mount);
            }
            if Instant::now() > deadline {
                cannot(test, "hangfs.py did not mount (fuse3 and python3-fusepy?)");
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for HungMount {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .stderr(Stdio::null())
            .status();
    }
}

fn stuck_helpers() -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|s| {
            s.contains("(npd-file)")
                && s.rsplit_once(')')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with('D'))
        })
        .count()
}

#[test]
fn a_file_on_a_hung_mount_is_unknown_in_time_with_at_most_one_stuck_helper() {
    let Some(mount) = HungMount::start("hung-mount test") else {
        return;
    };
    let state = tempfile::tempdir().unwrap();
    let file = format!("{}/heartbeat", mount.dir.path().display());
    let args = [
        "--path",
        file.as_str(),
        "--problem-if-older-than",
        "10m",
        "--timeout",
        "1s",
        "--host-root",
        "/",
    ];
    for round in 0..3 {
        let r = run_in(state.path(), &args, |_| {});
        assert_eq!(r.code, 2, "round {round}: {} / {}", r.line(), r.stderr);
        assert!(
            r.line().starts_with("no answer in 1s from fuse"),
            "{}",
            r.line()
        );
        assert!(
            r.took < Duration::from_secs(1) + MARGIN,
            "round {round} took {:?}",
            r.took
        );
        assert!(
            stuck_helpers() <= 1,
            "round {round} left a second stuck helper"
        );
    }
    drop(mount);
    let deadline = Instant::now() + Duration::from_secs(5);
    while stuck_helpers() > 0 {
        assert!(
            Instant::now() < deadline,
            "helper still stuck after unmount"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
