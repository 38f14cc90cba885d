//! Scans of fixture process tables.
use super::*;
use crate::config::{Args, Config};
use npd_plugin::state::StateDir;
use npd_plugin::Configure;

/// `n` processes named `comm` under a fresh `<root>/proc`, with pids from 100.
fn table(n: u32, comm: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for pid in 100..100 + n {
        let dir = tmp.path().join(format!("proc/{pid}"));
        std::fs::create_dir_all(&dir).unwrap();
        let stat =
            format!("{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0");
        std::fs::write(dir.join("stat"), stat).unwrap();
        std::fs::write(dir.join("comm"), format!("{comm}\n")).unwrap();
        std::fs::write(dir.join("cmdline"), format!("{comm}\0")).unwrap();
        std::fs::write(dir.join("statm"), "2000 300 200 10 0 100 0\n").unwrap();
    }
    tmp
}

fn scan_with(root: &Path, explain: bool, args: Args) -> Report {
    let state = StateDir::new(root.join("state"), "npd-process", "test");
    let ctx = Context::new(root, std::time::Duration::from_secs(4), explain, state);
    scan(&Config::configure(args).unwrap(), &ctx).unwrap()
}

fn names(names: &[&str], max: Option<u32>, zombies: Option<u32>) -> Args {
    Args {
        names: names.iter().map(|s| s.to_string()).collect(),
        cmdlines: vec![],
        min: 1,
        max,
        max_zombies: zombies,
        max_d_state_for: None,
        d_state_of: None,
        max_restarts: None,
        within: None,
    }
}

#[test]
fn names_are_read_from_comm_and_stat_only_until_the_answer_is_known() {
    let tmp = table(50, "sleep");
    let r = scan_with(tmp.path(), false, names(&["sleep", "kubelet"], None, None));
    assert_eq!((r.comms_read, r.stats_read, r.cmdlines_read), (50, 1, 0));
    assert_eq!((r.tallies[0].count, r.tallies[1].count), (1, 0));
    // A maximum needs every copy counted, and so does --explain.
    let r = scan_with(tmp.path(), false, names(&["sleep"], Some(60), None));
    assert_eq!((r.stats_read, r.tallies[0].count), (50, 50));
    let r = scan_with(tmp.path(), true, names(&["sleep"], None, None));
    assert_eq!((r.stats_read, r.tallies[0].count), (50, 50));
}

#[test]
fn zombies_are_ruled_out_by_memory_and_confirmed_by_stat() {
    let tmp = table(20, "sleep");
    let zombie = tmp.path().join("proc/200");
    std::fs::create_dir_all(&zombie).unwrap();
    std::fs::write(
        zombie.join("stat"),
        "200 (sh) Z 100 0 0 0 -1 4194564 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0",
    )
    .unwrap();
    std::fs::write(zombie.join("statm"), "0 0 0 0 0 0 0\n").unwrap();
    let r = scan_with(tmp.path(), false, names(&[], None, Some(0)));
    assert_eq!((r.statms_read, r.comms_read, r.stats_read), (21, 0, 1));
    assert_eq!(
        (r.zombies.count, r.zombies.pids.as_slice()),
        (1, &[200][..])
    );
    let parent = r.zombies.top_parent.unwrap();
    assert_eq!((parent.pid, parent.comm.as_deref()), (100, Some("sleep")));
    // With names as well, one `stat` per process carries both.
    let r = scan_with(tmp.path(), false, names(&["sleep"], None, Some(0)));
    assert_eq!((r.statms_read, r.comms_read, r.stats_read), (0, 0, 21));
    assert_eq!((r.tallies[0].count, r.zombies.count), (20, 1));
}

#[test]
fn patterns_alone_read_only_command_lines() {
    let tmp = table(10, "python3");
    let mut args = names(&[], None, None);
    args.cmdlines = vec!["^python3$".into()];
    let r = scan_with(tmp.path(), false, args);
    assert_eq!((r.comms_read, r.stats_read, r.cmdlines_read), (0, 0, 10));
    assert_eq!(r.tallies[0].count, 10);
}

#[test]
fn the_busiest_parent_wins_and_ties_go_to_the_lowest_pid() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dir = ProcDir::open(tmp.path()).unwrap();
    let top = top_parent(&mut [7, 3, 7, 9, 3, 7], &mut dir).unwrap();
    assert_eq!((top.pid, top.zombies, top.comm), (7, 3, None));
    let top = top_parent(&mut [9, 3], &mut dir).unwrap();
    assert_eq!(top.pid, 3);
    assert!(top_parent(&mut [], &mut dir).is_none());
}

#[test]
fn raw_lines_are_escaped_and_cut() {
    assert_eq!(shorten(b"1 (a\nb"), "1 (a\\nb");
    assert!(shorten(&[b'x'; 500]).ends_with("..."));
}

/// kthreadd (PID 2) and kernel threads 3..3+n under `root`, kthreadd listing them as
/// its children; `d` of them in D state.
fn kernel_threads(root: &Path, n: u32, d: u32) {
    let kthread = |pid: u32, comm: &str, ppid: u32, state: char| {
        let dir = root.join(format!("proc/{pid}"));
        std::fs::create_dir_all(dir.join("task/2")).unwrap();
        // flags 0x200040: PF_KTHREAD | PF_FORKNOEXEC.
        let stat = format!(
            "{pid} ({comm}) {state} {ppid} 0 0 0 -1 2097216 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0"
        );
        std::fs::write(dir.join("stat"), stat).unwrap();
        std::fs::write(dir.join("comm"), format!("{comm}\n")).unwrap();
        std::fs::write(dir.join("statm"), "0 0 0 0 0 0 0\n").unwrap();
    };
    kthread(2, "kthreadd", 0, 'S');
    let mut children = String::new();
    for pid in 3..3 + n {
        kthread(pid, "kworker", 2, if pid < 3 + d { 'D' } else { 'I' });
        children.push_str(&format!("{pid} "));
    }
    std::fs::write(root.join("proc/2/task/2/children"), children).unwrap();
}

#[test]
fn kernel_threads_listed_by_kthreadd_are_passed_over_unread() {
    let tmp = table(5, "sleep");
    kernel_threads(tmp.path(), 30, 2);
    let r = scan_with(tmp.path(), false, names(&["sleep"], Some(9), Some(0)));
    // kthreadd and the 5 processes are read; its 30 children are not.
    assert_eq!((r.stats_read, r.comms_read, r.statms_read), (1 + 5, 0, 0));
    assert_eq!(
        (r.processes, r.kernel_threads, r.kernel_threads_listed),
        (36, 31, 30)
    );
    assert_eq!((r.tallies[0].count, r.zombies.count), (5, 0));
    let r = scan_with(tmp.path(), false, names(&["kworker"], None, None));
    assert_eq!((r.tallies[0].count, r.comms_read), (0, 6));
    // D state of all processes needs every kernel thread's state.
    let mut args = names(&[], None, None);
    args.max_d_state_for = Some(std::time::Duration::from_secs(60));
    let r = scan_with(tmp.path(), false, args);
    assert_eq!(
        (r.stats_read, r.kernel_threads_listed, r.d_count),
        (36, 0, 2)
    );
}

#[test]
fn without_kthreadd_at_pid_2_every_process_is_read() {
    let tmp = table(5, "sleep");
    kernel_threads(tmp.path(), 4, 0);
    // PID 2 of another PID namespace: a user process, whatever file it holds.
    std::fs::write(
        tmp.path().join("proc/2/stat"),
        "2 (sh) S 1 2 2 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 500 0 0",
    )
    .unwrap();
    std::fs::write(tmp.path().join("proc/2/statm"), "2000 300 200 10 0 100 0\n").unwrap();
    let r = scan_with(tmp.path(), false, names(&[], None, Some(0)));
    assert_eq!((r.kernel_threads_listed, r.statms_read), (0, 10));
}
