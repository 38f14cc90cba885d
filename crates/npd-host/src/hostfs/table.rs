//! Mount tables as sources of mount IDs: which filesystem type a mount the kernel
//! named by its ID has, and which types can make a call wait on something other than
//! this machine.
//!
//! Only the ID and the type are kept: these tables decide how carefully to look,
//! never what a check reports (npd-disk reports from the host's table). Mount IDs are
//! unique system-wide among live mounts, so any process's table (this process's own,
//! PID 1's) tells the truth about the IDs it lists. Lines are read by the one parser
//! of mount tables, [`crate::mountinfo`].

use crate::mountinfo::{self, Line, MountTable};

/// A table, as listed. Looked through, not hashed or sorted: a few hundred mounts, a
/// lookup per mount a walk enters, and no hashing or sorting code in every binary.
#[derive(Debug, Default)]
pub(crate) struct OwnMounts {
    /// (mount ID, filesystem type)
    by_id: Vec<(u64, String)>,
}

impl OwnMounts {
    /// This process's table.
    pub(crate) const OWN: &'static str = "/proc/self/mountinfo";
    /// PID 1's, through this process's /proc (not under the host root).
    pub(crate) const INIT: &'static str = "/proc/1/mountinfo";

    /// Reads a table; `None` when it cannot be read (no /proc in a chroot), in which
    /// case no mount can be established from it.
    pub(crate) fn read(file: &str) -> Option<OwnMounts> {
        let mut bytes = Vec::new();
        read_proc_file(&mut std::fs::File::open(file).ok()?, &mut bytes).ok()?;
        Some(OwnMounts::parse(&bytes))
    }

    /// Parses mountinfo lines; a line that does not parse is left out (its mount then
    /// cannot be established, which only makes the walk more careful).
    pub(crate) fn parse(bytes: &[u8]) -> OwnMounts {
        let by_id = mountinfo::lines(bytes)
            .filter_map(|(_, l)| Line::parse(l).ok())
            .map(|l| (l.id, l.fs_type().into_owned()))
            .collect();
        OwnMounts { by_id }
    }

    /// The IDs and types of a table parsed whole already.
    pub(crate) fn of(table: &MountTable) -> OwnMounts {
        let by_id = table
            .mounts
            .iter()
            .map(|m| (m.id, m.fs_type.clone()))
            .collect();
        OwnMounts { by_id }
    }

    /// The filesystem type of mount `id`.
    pub(crate) fn get(&self, id: u64) -> Option<&str> {
        let (_, fs_type) = self.by_id.iter().find(|(i, _)| *i == id)?;
        Some(fs_type)
    }
}

/// Reads a procfs file whole into `into`. procfs files report a size of 0, so a
/// plain read_to_end starts with a tiny buffer and doubles it, a system call (and a
/// regeneration of the text) each time: a mount table read starts at 64 KiB.
pub fn read_proc_file(file: &mut std::fs::File, into: &mut Vec<u8>) -> std::io::Result<usize> {
    use std::io::Read;
    into.reserve(64 << 10);
    file.read_to_end(into)
}

/// Whether a call on a filesystem of this type (a lookup, stat, statvfs, open, read)
/// can wait on something other than this machine: a server (NFS, SMB, Ceph, ...), a
/// FUSE daemon, or an automounter that mounts one of those on access. Such calls
/// sleep, often uninterruptibly, for as long as the other side does not answer, so
/// plugins make them only in a helper process ([`crate::isolate`]). Local
/// filesystems answer from memory or their own disk and are called directly.
pub fn fs_type_can_hang(fs_type: &str) -> bool {
    const REMOTE: &[&str] = &[
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ceph",
        "glusterfs",
        "9p",
        "afs",
        "lustre",
        "gpfs",
        "beegfs",
        "ocfs2",
        "gfs2",
        "orangefs",
        "pvfs2",
        "ncpfs",
        "coda",
        "virtiofs",
        "fuse",
        "fuseblk",
        "autofs",
    ];
    REMOTE.contains(&fs_type) || fs_type.starts_with("fuse.") || fs_type.starts_with("fuseblk.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_id_point_and_type() {
        let t = OwnMounts::parse(
            b"22 1 0:21 / /proc rw,nosuid - proc proc rw\n\
              40 22 0:50 / /mnt/with\\040space rw shared:3 - fuse.sshfs a@b: rw\n\
              garbage\n\
              41 1 0:51 / /broken rw\n",
        );
        assert_eq!(t.get(22), Some("proc"));
        assert_eq!(t.get(40), Some("fuse.sshfs"));
        assert!(t.get(41).is_none());
    }

    #[test]
    fn this_process_has_a_table_with_its_proc_in_it() {
        let t = OwnMounts::read(OwnMounts::OWN).unwrap();
        assert!(t.by_id.iter().any(|(_, t)| t == "proc"));
    }

    #[test]
    fn remote_and_fuse_types_can_hang_local_ones_cannot() {
        for t in [
            "nfs",
            "nfs4",
            "cifs",
            "smb3",
            "ceph",
            "fuse",
            "fuse.sshfs",
            "fuseblk.ntfs",
            "autofs",
        ] {
            assert!(fs_type_can_hang(t), "{t}");
        }
        for t in [
            "ext4", "xfs", "btrfs", "tmpfs", "overlay", "vfat", "nfsd", "fusectl",
        ] {
            assert!(!fs_type_can_hang(t), "{t}");
        }
    }
}
