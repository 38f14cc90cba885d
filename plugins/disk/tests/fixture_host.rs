//! npd-disk against fixture host roots: a temp dir holding `proc/1/mountinfo` written
//! by the test and real directories for its mount points. The mount table is the
//! test's; the numbers statvfs gives are those of the disk under the temp dir, so
//! these tests judge mount lookup, read-only mounts, symlinks, errors and flags, and
//! leave usage over a limit to `real_mounts.rs`.

mod common;

use common::Host;

const OK: &str = "disk usage normal, inode usage normal, filesystems writable";

const TABLE: &str = "\
20 1 0:21 / /proc rw,nosuid - proc proc rw
1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
36 1 8:16 / /var/lib/kubelet rw,noatime shared:7 - xfs /dev/sdb rw,attr2
";

fn healthy() -> Host {
    Host::new(TABLE, &["/var/lib/kubelet", "/var/lib/containerd"])
}

#[test]
fn a_healthy_host_is_ok_with_a_stable_message() {
    let host = healthy();
    for _ in 0..2 {
        let r = host.run(&["--path", "/", "--path", "/var/lib/kubelet"]);
        assert_eq!((r.code, r.line()), (0, OK), "{}", r.stderr);
    }
    let r = host.run(&["--check", "usage"]);
    assert_eq!((r.code, r.line()), (0, "disk usage normal"));
}

#[test]
fn a_read_only_mount_is_a_problem_named_by_its_path() {
    let table = TABLE.replace("rw,noatime shared:7", "ro,noatime shared:7");
    let host = Host::new(&table, &["/var/lib/kubelet/pods"]);
    let r = host.run(&["--path", "/", "--path", "/var/lib/kubelet/pods"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/var/lib/kubelet/pods mounted read-only")
    );
    // Opting out of the read-only check.
    let r = host.run(&["--path", "/var/lib/kubelet", "--check", "usage,inodes"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_filesystem_the_kernel_made_read_only_is_a_problem_though_the_mount_says_rw() {
    let table = TABLE.replace("xfs /dev/sdb rw,attr2", "xfs /dev/sdb ro,attr2");
    let host = Host::new(&table, &["/var/lib/kubelet"]);
    let r = host.run(&["--path", "/var/lib/kubelet"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/var/lib/kubelet mounted read-only")
    );
}

#[test]
fn several_problems_name_the_worst_first_and_count_the_rest() {
    let table = format!(
        "{TABLE}40 1 8:32 / /var/lib/containerd ro - ext4 /dev/sdc ro\n\
         41 36 8:33 / /var/lib/kubelet/pods ro - ext4 /dev/sdd rw\n"
    );
    let host = Host::new(&table, &["/var/lib/kubelet/pods", "/var/lib/containerd"]);
    let r = host.run(&[
        "--path",
        "/",
        "--path",
        "/var/lib/containerd",
        "--path",
        "/var/lib/kubelet/pods",
        "--max-used",
        "0",
    ]);
    // Read-only comes before usage (every write fails now); each filesystem over
    // --max-used 0 counts.
    assert_eq!(r.code, 1);
    assert_eq!(r.line(), "/var/lib/containerd mounted read-only (+4 more)");
}

#[test]
fn the_last_of_stacked_mounts_decides() {
    let top_ro = format!("{TABLE}37 36 0:40 / /var/lib/kubelet ro - tmpfs tmpfs rw\n");
    let host = Host::new(&top_ro, &["/var/lib/kubelet"]);
    assert_eq!(host.run(&["--path", "/var/lib/kubelet"]).code, 1);
    let top_rw = TABLE.replace(
        "36 1 8:16 / /var/lib/kubelet rw",
        "36 1 8:16 / /var/lib/kubelet ro",
    ) + "37 36 0:40 / /var/lib/kubelet rw - tmpfs tmpfs rw\n";
    let host = Host::new(&top_rw, &["/var/lib/kubelet"]);
    assert_eq!(host.run(&["--path", "/var/lib/kubelet"]).code, 0);
}

#[test]
fn escaped_mount_points_and_symlinks_are_followed_as_the_host_would() {
    let table = format!("{TABLE}50 1 8:48 / /srv/my\\040data ro - ext4 /dev/sde rw\n");
    let host = Host::new(&table, &["/srv/my data/containerd", "/var/lib"]);
    // An absolute link target restarts at the host root, not at this machine's /.
    std::os::unix::fs::symlink("/srv/my data/containerd", host.path("/var/lib/containerd"))
        .unwrap();
    let r = host.run(&["--path", "/var/lib/containerd", "--explain"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/var/lib/containerd mounted read-only")
    );
    assert!(
        r.stderr
            .contains("/var/lib/containerd (/srv/my data/containerd): mount 50"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_path_the_host_does_not_have_is_unknown() {
    let host = Host::new(TABLE, &[]);
    let r = host.run(&["--path", "/", "--path", "/var/lib/containerd"]);
    assert_eq!(
        (r.code, r.line()),
        (2, "/var/lib/containerd not found on the host")
    );
    // A problem seen elsewhere still wins: that much was observed.
    let table = TABLE.replace("ext4 /dev/sda1 rw", "ext4 /dev/sda1 ro");
    let host = Host::new(&table, &[]);
    let r = host.run(&["--path", "/var/lib/containerd", "--path", "/"]);
    assert_eq!((r.code, r.line()), (1, "/ mounted read-only"));
}

#[test]
fn a_path_no_mount_holds_is_unknown() {
    let host = Host::new(
        "36 1 8:16 / /var/lib/kubelet rw - xfs /dev/sdb rw\n",
        &["/var/lib/kubelet", "/var/log"],
    );
    let r = host.run(&["--path", "/var/log"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.line(),
        "no mount holds /var/log in the host's mount table"
    );
}

#[test]
fn a_missing_unreadable_garbled_or_empty_mount_table_is_unknown() {
    let host = Host::new(TABLE, &[]);
    let file = host.path("/proc/1/mountinfo");
    let shown = file.display().to_string();
    let expect = |what: &str, want: String| {
        let r = host.run(&["--max-output", "200"]);
        assert_eq!(r.code, 2, "{what}: {}", r.stdout);
        assert!(r.line().starts_with(&want), "{what}: {}", r.line());
    };
    std::fs::write(&file, format!("{TABLE}1 2 3 garbage\n")).unwrap();
    expect(
        "garbled",
        format!("cannot parse {shown}: line 4: no \" - \" separator"),
    );
    std::fs::write(&file, "").unwrap();
    expect("empty", format!("{shown} lists no mounts"));
    std::fs::remove_file(&file).unwrap();
    expect("missing", format!("cannot read {shown}: not found"));
    // A directory: unreadable even for root, who ignores permission bits.
    std::fs::create_dir(&file).unwrap();
    expect("unreadable", format!("cannot read {shown}: is a directory"));
}

#[test]
fn network_and_fuse_mounts_are_measured_in_a_helper() {
    let table = format!(
        "{TABLE}60 1 0:50 / /mnt/nfs rw - nfs4 srv:/export rw,vers=4.2\n\
         61 1 0:51 / /mnt/sshfs rw - fuse.sshfs  rw,user_id=0\n"
    );
    let host = Host::new(&table, &["/mnt/nfs/share", "/mnt/sshfs"]);
    let r = host.run(&[
        "--path",
        "/mnt/nfs/share",
        "--path",
        "/mnt/sshfs",
        "--path",
        "/",
        "--explain",
    ]);
    assert_eq!((r.code, r.line()), (0, OK), "{}", r.stderr);
    assert_eq!(r.stderr.matches("measured in a helper process").count(), 2);
    assert_eq!(r.stderr.matches("measured directly").count(), 1);
    // The helper also looks the path up below the mount point.
    let r = host.run(&["--path", "/mnt/nfs/nothing"]);
    assert_eq!(
        (r.code, r.line()),
        (2, "/mnt/nfs/nothing not found on the host")
    );
}

#[test]
fn bad_flags_are_unknown() {
    let host = healthy();
    for args in [
        &["--path", "var/lib"][..],
        &["--max-used", "101"],
        &["--max-used", "ninety"],
        &["--max-inodes-used", "-1"],
        &["--check", "everything"],
        &["--timeout", "0s"],
        &["--no-such-flag"],
    ] {
        let r = host.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert!(
            r.line().starts_with("bad flags: "),
            "{args:?}: {}",
            r.line()
        );
    }
    let r = host.run(&["--max-used", "90%", "--max-inodes-used", "95"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn the_line_is_cut_to_max_output() {
    let table = TABLE.replace("rw,noatime shared:7", "ro,noatime shared:7");
    let host = Host::new(&table, &["/var/lib/kubelet/a-rather-long-directory-name"]);
    let args = ["--path", "/var/lib/kubelet/a-rather-long-directory-name"];
    let full = host.run(&args);
    let mut cut_args = args.to_vec();
    cut_args.extend(["--max-output", "24"]);
    let cut = host.run(&cut_args);
    assert_eq!(cut.code, 1);
    assert_eq!(cut.line().len(), 24);
    assert!(full.line().starts_with(cut.line()));
}

#[test]
fn explain_shows_every_value_and_leaves_stdout_alone() {
    let host = healthy();
    let plain = host.run(&[]);
    let explained = host.run(&["--explain"]);
    assert_eq!(plain.stdout, explained.stdout);
    for want in [
        "proc/1/mountinfo: 3 mounts",
        "/: mount 1 at / (ext4 /dev/sda1",
        "measured directly",
        "pct used, as df rounds; limit 100: ok",
        "inodes: ",
        "read-only: mount rw, filesystem rw",
        "answer: OK",
    ] {
        assert!(
            explained.stderr.contains(want),
            "{want}: {}",
            explained.stderr
        );
    }
    assert!(plain.stderr.is_empty(), "{}", plain.stderr);
}

#[test]
fn a_path_some_hosts_lack_is_left_out_where_it_is_missing() {
    let host = healthy();
    // A CRI-O node: no /var/lib/containerd, a /var/lib/containers.
    let args = [
        "--path",
        "/",
        "--path-if-exists",
        "/var/lib/containers",
        "--path-if-exists",
        "/var/lib/kubelet",
        "--explain",
    ];
    let r = host.run(&args);
    assert_eq!((r.code, r.line()), (0, OK), "{}", r.stderr);
    assert!(
        r.stderr.contains("--path-if-exists: left out"),
        "{}",
        r.stderr
    );
    // Where it exists it is judged like any --path.
    let table = TABLE.replace("rw,noatime shared:7", "ro,noatime shared:7");
    let host = Host::new(&table, &["/var/lib/kubelet"]);
    let r = host.run(&["--path-if-exists", "/var/lib/kubelet"]);
    assert_eq!(
        (r.code, r.line()),
        (1, "/var/lib/kubelet mounted read-only")
    );
    // A --path still has to be there.
    let r = host.run(&["--path", "/var/lib/containers"]);
    assert_eq!(
        (r.code, r.line()),
        (2, "/var/lib/containers not found on the host")
    );
}
