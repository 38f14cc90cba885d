//! The plugin on this machine's own process table (`--host-root /`): what a fake table
//! cannot show. Other work on the machine may start processes meanwhile, so these
//! tests assert on what they started themselves, never on exact totals.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{run, Reaped};

/// Starts `program` (with `argv0` if given) sleeping 30 seconds at most.
fn sleeper(program: &Path, argv0: Option<&str>) -> Reaped {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut cmd = Command::new(program);
        cmd.arg("30")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(a) = argv0 {
            cmd.arg0(a);
        }
        match cmd.spawn() {
            Ok(child) => return Reaped(child),
            // A copy just written may still be open for writing in a child another
            // test thread forked at that moment: retry until that child has exec'd.
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("cannot start {}: {e}", program.display()),
        }
    }
}

/// Waits until the kernel shows `pid` in a state from `states`.
fn wait_for_state(pid: u32, states: &[char]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) {
            let after = &stat[stat.rfind(')').unwrap() + 2..];
            if states.contains(&after.chars().next().unwrap()) {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "pid {pid} never reached {states:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn sleep_binary() -> &'static Path {
    ["/bin/sleep", "/usr/bin/sleep"]
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .expect("no sleep binary")
}

#[test]
fn a_long_name_is_found_on_the_real_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("kube-controller-manager");
    fs::copy(sleep_binary(), &exe).unwrap();
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
    let child = sleeper(&exe, None);
    let pid = child.0.id();
    wait_for_state(pid, &['S', 'R']);
    // The kernel keeps 15 bytes of it.
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap();
    assert_eq!(comm.trim_end(), "kube-controller");

    let r = run(&[
        "--host-root",
        "/",
        "--name",
        "kube-controller-manager",
        "--explain",
    ]);
    assert_eq!(
        (r.code, r.line()),
        (0, "kube-controller-manager running"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&pid.to_string()), "{}", r.stderr);

    let r = run(&["--host-root", "/", "--name", "kube-controller-mangler"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "kube-controller-mangler not running (0 < min 1)")
    );
}

#[test]
fn a_real_zombie_is_counted_with_its_parent() {
    // This test process is the parent that does not reap (until the guards drop), so
    // no zombie outlives the test.
    let children: Vec<Reaped> = (0..3)
        .map(|_| {
            Reaped(
                Command::new("/bin/sh")
                    .args(["-c", "exit 0"])
                    .stdin(Stdio::null())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    for c in &children {
        wait_for_state(c.0.id(), &['Z']);
    }
    let r = run(&["--host-root", "/", "--max-zombies", "0", "--explain"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.line().contains(" zombie processes > max 0, "),
        "{}",
        r.stdout
    );
    let first_zombie = format!("{}", children[0].0.id());
    assert!(
        r.stderr.contains(&first_zombie) || r.stderr.contains("..."),
        "{}",
        r.stderr
    );
    let huge = run(&["--host-root", "/", "--max-zombies", "100000"]);
    assert_eq!((huge.code, huge.line()), (0, "zombies within limit"));
}

#[test]
fn the_plugin_never_counts_itself() {
    // Its own command line holds the pattern; no other process's does.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let marker = format!("npd-self-{}-{nanos}", std::process::id());
    let r = run(&["--host-root", "/", "--cmdline", &marker]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.line(), format!("/{marker}/ not running (0 < min 1)"));
}

#[test]
fn a_pattern_finds_a_real_command_line() {
    let marker = format!("python3 /opt/npd-test-{}/service.py", std::process::id());
    let child = sleeper(sleep_binary(), Some(&marker));
    wait_for_state(child.0.id(), &['S', 'R']);
    let pattern = format!("npd-test-{}/service\\.py( |$)", std::process::id());
    let r = run(&[
        "--host-root",
        "/",
        "--cmdline",
        &pattern,
        "--max",
        "1",
        "--explain",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&child.0.id().to_string()), "{}", r.stderr);
    drop(child);
    let r = run(&["--host-root", "/", "--cmdline", &pattern]);
    assert_eq!(r.code, 1, "{}", r.stdout);
}
