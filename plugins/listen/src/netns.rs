//! Which way a protocol's sockets are read: asked of the kernel over netlink when
//! this process shares the network namespace whose tables the host root shows, read
//! from those tables otherwise.
//!
//! The tables are `<host-root>/proc/1/net/*`, the namespace of the host's PID 1; a
//! netlink socket answers for the namespace of the process that opens it. Both are
//! one namespace exactly when `<host-root>/proc/1/net/tcp` and `/proc/self/net/tcp`
//! are the same procfs entry. The kernel makes the entries under `/proc/<pid>/net`
//! once per network namespace and numbers each with an inode number unique in the
//! whole system (one allocator serves every procfs mount and every namespace), so
//! equal inode numbers of two procfs files mean one entry, hence one namespace,
//! even when the host root's procfs is another mount than this process's `/proc`
//! (the DaemonSet's `/host/proc`), where the device numbers differ and are
//! therefore not compared. An entry's number is only reused after its namespace is
//! gone, and both namespaces live while this runs (PID 1's, and this process's).
//!
//! The namespace links (`/proc/1/ns/net`) would say it more directly, but the
//! kernel lets only a process that may ptrace PID 1 read or stat them: root without
//! CAP_SYS_PTRACE gets EACCES there, in some sandboxes and restricted pods. The
//! tables need no such right, and the plugin reads them anyway.
//!
//! A file that is not on procfs (a test's fixture, a copy) is never a namespace's
//! table: it is read as it is.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// How a protocol's sockets are read, and why (for --explain).
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    Netlink(String),
    Tables(String),
}

/// Compares `host`, the table under the host root, with `own`, the same table of
/// this process's namespace (`/proc/self/net/<name>`).
pub fn choose(host: &Path, own: &Path) -> Source {
    let inode = |path: &Path| match procfs_inode(path) {
        Ok(Some(inode)) => Ok(inode),
        Ok(None) => Err(format!("{} is not on procfs", path.display())),
        Err(e) => Err(format!(
            "{}: {}",
            path.display(),
            npd_plugin::short_io_reason(&e)
        )),
    };
    let (theirs, ours) = match (inode(host), inode(own)) {
        (Ok(theirs), Ok(ours)) => (theirs, ours),
        (Err(why), _) | (_, Err(why)) => return Source::Tables(why),
    };
    if theirs == ours {
        Source::Netlink(format!(
            "{} is this process's network namespace's (inode {theirs})",
            host.display()
        ))
    } else {
        Source::Tables(format!(
            "{} is another network namespace's (inode {theirs}, here {ours})",
            host.display()
        ))
    }
}

/// The inode number of `path` when it is on procfs, `None` when it is elsewhere.
fn procfs_inode(path: &Path) -> io::Result<Option<u64>> {
    let meta = std::fs::metadata(path)?;
    let c_path = CString::new(path.as_os_str().as_bytes())?;
    // SAFETY: statfs(2) fills the zeroed struct it is given; the path is a valid C
    // string that outlives the call.
    let fs_type = unsafe {
        let mut fs: libc::statfs = std::mem::zeroed();
        if libc::statfs(c_path.as_ptr(), &mut fs) != 0 {
            return Err(io::Error::last_os_error());
        }
        fs.f_type
    };
    Ok((fs_type == libc::PROC_SUPER_MAGIC).then_some(meta.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_procfs_entry_is_one_namespace() {
        let own = Path::new("/proc/self/net/tcp");
        // This process's table reached by another path is the same entry.
        let by_pid = format!("/proc/{}/net/tcp", std::process::id());
        match choose(Path::new(&by_pid), own) {
            Source::Netlink(why) => assert!(why.contains("this process's"), "{why}"),
            other => panic!("{other:?}"),
        }
        // Another entry of the same namespace stands for another one.
        match choose(Path::new("/proc/self/net/udp"), own) {
            Source::Tables(why) => assert!(why.contains("another network namespace"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn files_off_procfs_and_missing_files_are_read_as_tables() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("tcp");
        std::fs::write(&copy, "  sl  local_address\n").unwrap();
        let own = Path::new("/proc/self/net/tcp");
        assert_eq!(
            choose(&copy, own),
            Source::Tables(format!("{} is not on procfs", copy.display()))
        );
        let gone = dir.path().join("tcp6");
        assert_eq!(
            choose(&gone, own),
            Source::Tables(format!("{}: not found", gone.display()))
        );
        // Whichever side is off procfs, the answer is the tables.
        assert!(matches!(choose(own, &copy), Source::Tables(_)));
    }
}
