//! Whether this process shares the network namespace of the host's PID 1, told from
//! two of procfs's per-namespace tables: `<host-root>/proc/1/net/<name>` and
//! `/proc/self/net/<name>`.
//!
//! The kernel makes the entries under `/proc/<pid>/net` once per network namespace and
//! numbers each with an inode number unique in the whole system (one allocator serves
//! every procfs mount and every namespace), so equal inode numbers of two procfs files
//! mean one entry, hence one namespace, even when the host root's procfs is another
//! mount than this process's `/proc` (the DaemonSet's `/host/proc`), where the device
//! numbers differ and are therefore not compared. An entry's number is only reused
//! after its namespace is gone, and both namespaces live while this runs.
//!
//! The namespace links (`/proc/1/ns/net`) would say it more directly, but the kernel
//! lets only a process that may ptrace PID 1 read or stat them: root without
//! CAP_SYS_PTRACE (the DaemonSet's plugins) gets EACCES. The tables need no such right.
//! A file that is not on procfs (a test's fixture, a copy) is no namespace's table:
//! nothing can be compared.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::short_io_reason;

/// What the two tables say.
#[derive(Debug, PartialEq, Eq)]
pub enum Namespaces {
    /// One entry: this process is in the host's PID 1's network namespace.
    Same { inode: u64 },
    /// Two entries: another namespace.
    Different { theirs: u64, ours: u64 },
    /// Not compared, and why: "<file> is not on procfs", "<file>: <reason>".
    Unknown(String),
}

/// Compares `theirs`, the table under the host root (opened by the caller, through
/// hostfs where it may), with `ours`, the same table of this process's namespace;
/// `theirs_name` and `ours_name` name them in the reason.
pub fn compare(
    theirs_name: &Path,
    theirs: io::Result<File>,
    ours_name: &Path,
    ours: io::Result<File>,
) -> Namespaces {
    let inode = |name: &Path, file: io::Result<File>| match file.and_then(|f| procfs_inode(&f)) {
        Ok(Some(inode)) => Ok(inode),
        Ok(None) => Err(format!("{} is not on procfs", name.display())),
        Err(e) => Err(format!("{}: {}", name.display(), short_io_reason(&e))),
    };
    match (inode(theirs_name, theirs), inode(ours_name, ours)) {
        (Ok(theirs), Ok(ours)) if theirs == ours => Namespaces::Same { inode: theirs },
        (Ok(theirs), Ok(ours)) => Namespaces::Different { theirs, ours },
        (Err(why), _) | (_, Err(why)) => Namespaces::Unknown(why),
    }
}

/// The inode number of `file` when it is on procfs, `None` when it is elsewhere.
pub fn procfs_inode(file: &File) -> io::Result<Option<u64>> {
    let mut fs = std::mem::MaybeUninit::<libc::statfs>::zeroed();
    // SAFETY: fstatfs(2) on a descriptor we hold, into our buffer.
    if unsafe { libc::fstatfs(file.as_raw_fd(), fs.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: filled by the kernel.
    let fs_type = unsafe { fs.assume_init() }.f_type;
    Ok((fs_type == libc::PROC_SUPER_MAGIC).then_some(file.metadata()?.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(theirs: &Path, ours: &Path) -> Namespaces {
        compare(theirs, File::open(theirs), ours, File::open(ours))
    }

    #[test]
    fn the_same_procfs_entry_is_one_namespace() {
        let own = Path::new("/proc/self/net/tcp");
        // This process's table reached by another path is the same entry.
        let by_pid = format!("/proc/{}/net/tcp", std::process::id());
        assert!(matches!(
            tables(Path::new(&by_pid), own),
            Namespaces::Same { .. }
        ));
        // Another entry of the same namespace stands for another one.
        assert!(matches!(
            tables(Path::new("/proc/self/net/udp"), own),
            Namespaces::Different { .. }
        ));
    }

    #[test]
    fn files_off_procfs_and_missing_files_are_not_compared() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("tcp");
        std::fs::write(&copy, "  sl  local_address\n").unwrap();
        let own = Path::new("/proc/self/net/tcp");
        assert_eq!(
            tables(&copy, own),
            Namespaces::Unknown(format!("{} is not on procfs", copy.display()))
        );
        let gone = dir.path().join("tcp6");
        assert_eq!(
            tables(&gone, own),
            Namespaces::Unknown(format!("{}: not found", gone.display()))
        );
        assert!(matches!(tables(own, &copy), Namespaces::Unknown(_)));
    }
}
