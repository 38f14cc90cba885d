//! Which host paths lie on a mount that can hang: the host's mount table
//! (`<host-root>/proc/1/mountinfo`) and the filesystem types whose lookups wait on a
//! server or a daemon.
//!
//! A lookup (stat, lstat, readdir, open) on a hung NFS or FUSE mount blocks the
//! calling thread in the kernel for as long as the server does not answer, and such a
//! thread keeps the whole process and its stdout alive past any deadline. The walk
//! asks this table before every lookup and never makes one on such a mount itself.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use npd_plugin::{explain, short_io_reason, Context};

/// One mount: where it is (host view) and its filesystem type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub point: PathBuf,
    pub fs_type: String,
}

/// The mounts that can hang, in mount order (later ones stack on earlier ones).
#[derive(Clone, Debug, Default)]
pub struct Mounts {
    all: Vec<Mount>,
}

impl Mounts {
    /// Reads the host's mount table. Without one (a fixture tree, a container
    /// without the host's /proc) every path is taken as local, which is said on
    /// stderr: the table only decides how carefully to look, never what is found.
    pub fn load(ctx: &Context) -> Mounts {
        let file = ctx.host_path("/proc/1/mountinfo");
        match std::fs::read(&file) {
            Ok(bytes) => {
                let mounts = Mounts::parse(&bytes);
                explain!(
                    ctx,
                    "mount table {}: {} mounts",
                    file.display(),
                    mounts.all.len()
                );
                mounts
            }
            Err(e) => {
                ctx.warn(format_args!(
                    "cannot read {}: {}; taking every path as local",
                    file.display(),
                    short_io_reason(&e)
                ));
                Mounts::default()
            }
        }
    }

    /// Parses mountinfo lines; lines that do not parse are skipped (the kernel writes
    /// this file, a garbled line is not worth failing the check for).
    pub fn parse(bytes: &[u8]) -> Mounts {
        let all = bytes
            .split(|b| *b == b'\n')
            .filter_map(parse_line)
            .collect();
        Mounts { all }
    }

    /// The mount that holds `path` (host view, symlinks already followed): the last
    /// mounted of those whose mount point is `path` or one of its ancestors.
    pub fn holding(&self, path: &Path) -> Option<&Mount> {
        let mut best: Option<&Mount> = None;
        for m in &self.all {
            let deeper = match best {
                None => true,
                Some(b) => m.point.as_os_str().len() >= b.point.as_os_str().len(),
            };
            if deeper && path.starts_with(&m.point) {
                best = Some(m);
            }
        }
        best
    }

    /// The mount holding `path` when that one can hang.
    pub fn hanging(&self, path: &Path) -> Option<&Mount> {
        self.holding(path).filter(|m| can_hang(&m.fs_type))
    }
}

/// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`:
/// the mount point is field 5, the type the first field after the `-`.
fn parse_line(line: &[u8]) -> Option<Mount> {
    let fields: Vec<&[u8]> = line.split(|b| *b == b' ').collect();
    let point = fields.get(4)?;
    let dash = fields.iter().skip(6).position(|f| *f == b"-")? + 6;
    let fs_type = std::str::from_utf8(fields.get(dash + 1)?).ok()?;
    if !point.starts_with(b"/") || fs_type.is_empty() {
        return None;
    }
    Some(Mount {
        point: PathBuf::from(OsString::from_vec(unescape(point))),
        fs_type: fs_type.to_string(),
    })
}

/// The kernel writes space, tab, newline and backslash in mount points as `\ooo`.
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| field[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match octal {
            Some(d) => {
                let v = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
                out.push(v as u8);
                i += 4;
            }
            None => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

pub use npd_plugin::isolate::fs_type_can_hang as can_hang;

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[u8] = b"\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
23 22 0:21 / /run rw,nosuid shared:5 - tmpfs tmpfs rw
40 22 0:40 / /mnt/nfs rw,relatime shared:20 - nfs4 srv:/export rw
41 40 0:41 / /mnt/nfs/local rw - tmpfs tmpfs rw
42 22 0:42 / /mnt/with\\040space rw - fuse.sshfs host: rw
garbage line
43 22 0:43 / /home rw - autofs systemd-1 rw
44 43 0:44 / /home rw - ext4 /dev/sdb1 rw
";

    #[test]
    fn parses_points_and_types() {
        let m = Mounts::parse(TABLE);
        assert_eq!(m.all.len(), 7);
        assert_eq!(m.all[4].point, Path::new("/mnt/with space"));
        assert_eq!(m.all[4].fs_type, "fuse.sshfs");
    }

    #[test]
    fn the_deepest_and_latest_mount_holds_a_path() {
        let m = Mounts::parse(TABLE);
        let fs = |p: &str| m.holding(Path::new(p)).unwrap().fs_type.clone();
        assert_eq!(fs("/etc/hostname"), "ext4");
        assert_eq!(fs("/run/reboot-required"), "tmpfs");
        assert_eq!(fs("/mnt/nfs"), "nfs4");
        assert_eq!(fs("/mnt/nfs/a/b"), "nfs4");
        assert_eq!(fs("/mnt/nfs/local/x"), "tmpfs");
        assert_eq!(fs("/mnt/nfsx"), "ext4", "component-wise prefixes only");
        assert_eq!(
            fs("/home/u"),
            "ext4",
            "the later mount stacks on the autofs one"
        );
    }

    #[test]
    fn which_can_hang() {
        let m = Mounts::parse(TABLE);
        assert!(m.hanging(Path::new("/mnt/nfs/x")).is_some());
        assert!(m.hanging(Path::new("/mnt/with space/x")).is_some());
        assert!(m.hanging(Path::new("/mnt/nfs/local/x")).is_none());
        assert!(m.hanging(Path::new("/run/x")).is_none());
        assert!(Mounts::default().hanging(Path::new("/x")).is_none());
    }
}
