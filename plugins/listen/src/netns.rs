//! Which way a protocol's sockets are read: asked of the kernel over netlink when
//! this process shares the network namespace whose tables the host root shows
//! (`<host-root>/proc/1/net/*`, PID 1's), read from those tables otherwise. A netlink
//! socket answers for the namespace of the process that opens it; whether that is
//! PID 1's is told by [`npd_plugin::netns`]. A file that is not on procfs (a test's
//! fixture, a copy) is read as it is.

use std::fs::File;
use std::path::Path;

use npd_plugin::netns::{compare, Namespaces};

/// How a protocol's sockets are read, and why (for --explain).
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    Netlink(String),
    Tables(String),
}

/// Compares `host`, the table under the host root, with `own`, the same table of
/// this process's namespace (`/proc/self/net/<name>`).
pub fn choose(host: &Path, own: &Path) -> Source {
    match compare(host, File::open(host), own, File::open(own)) {
        Namespaces::Same { inode } => Source::Netlink(format!(
            "{} is this process's network namespace's (inode {inode})",
            host.display()
        )),
        Namespaces::Different { theirs, ours } => Source::Tables(format!(
            "{} is another network namespace's (inode {theirs}, here {ours})",
            host.display()
        )),
        Namespaces::Unknown(why) => Source::Tables(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_namespace_is_asked_over_netlink_and_any_other_read_from_tables() {
        let own = Path::new("/proc/self/net/tcp");
        let by_pid = format!("/proc/{}/net/tcp", std::process::id());
        match choose(Path::new(&by_pid), own) {
            Source::Netlink(why) => assert!(why.contains("this process's"), "{why}"),
            other => panic!("{other:?}"),
        }
        match choose(Path::new("/proc/self/net/udp"), own) {
            Source::Tables(why) => assert!(why.contains("another network namespace"), "{why}"),
            other => panic!("{other:?}"),
        }
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("tcp");
        std::fs::write(&copy, "  sl  local_address\n").unwrap();
        assert_eq!(
            choose(&copy, own),
            Source::Tables(format!("{} is not on procfs", copy.display()))
        );
    }
}
