//! Mount tables (`/proc/<pid>/mountinfo`, the format of proc(5)): the one parser of
//! them, and the one rule for which mount holds a path.
//!
//! Two readers share it. [`crate::hostfs`] wants only each mount's ID and type
//! ([`Line`], nothing copied) and leaves out a line it cannot read; npd-disk reports
//! from the host's table ([`MountTable`]: where, which filesystem, read-only or not)
//! and refuses a table it cannot read line for line rather than guessing, since a
//! misread table would judge the wrong filesystem. Nothing here touches the mounts.

use std::borrow::Cow;
use std::ffi::OsString;
use std::fmt;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

/// One line of mountinfo, checked and borrowed: the fields as the kernel wrote them
/// (escaped), the numbers parsed.
#[derive(Debug)]
pub struct Line<'a> {
    pub id: u64,
    pub parent: u64,
    pub dev: (u32, u32),
    fields: Vec<&'a [u8]>,
    /// Index of the ` - ` separator in `fields`.
    sep: usize,
}

impl<'a> Line<'a> {
    /// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw`: six fields,
    /// optional ones up to `-`, then type, source and the filesystem's options.
    pub fn parse(line: &'a [u8]) -> Result<Line<'a>, ParseError> {
        let bad = |what: String| ParseError { line: 0, what };
        let fields: Vec<&[u8]> = line.split(|b| *b == b' ').collect();
        let sep = fields
            .iter()
            .skip(6)
            .position(|f| *f == b"-")
            .map(|p| p + 6)
            .ok_or_else(|| bad("no \" - \" separator after the sixth field".into()))?;
        if fields.len() != sep + 4 {
            return Err(bad(format!(
                "{} fields after \" - \", expected 3 (type, source, options)",
                fields.len() - sep - 1
            )));
        }
        let number = |i: usize, name: &str| {
            text(fields[i])
                .parse()
                .map_err(|_| bad(format!("{name} {:?} is not a number", text(fields[i]))))
        };
        let dev = parse_dev(fields[2]).map_err(bad)?;
        // Escapes never start a field with `/`, so the raw field tells.
        if !fields[4].starts_with(b"/") {
            return Err(bad(format!(
                "mount point {:?} is not absolute",
                PathBuf::from(OsString::from_vec(unescape(fields[4]))).display()
            )));
        }
        if !fields[5].split(|b| *b == b',').any(|o| !o.is_empty()) {
            return Err(bad("no mount options".into()));
        }
        if fields[sep + 1].is_empty() {
            return Err(bad("empty filesystem type".into()));
        }
        Ok(Line {
            id: number(0, "mount ID")?,
            parent: number(1, "parent ID")?,
            dev,
            fields,
            sep,
        })
    }

    /// The filesystem type (`ext4`, `fuse.sshfs`).
    pub fn fs_type(&self) -> Cow<'a, str> {
        unescaped_text(self.fields[self.sep + 1])
    }
}

/// One mount, owned: what the disk checks report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub id: u64,
    pub parent: u64,
    /// The filesystem's device, `major:minor`: bind mounts of one filesystem share it.
    pub dev: (u32, u32),
    /// What of the filesystem is mounted (`/` for all of it, a subdirectory for a bind
    /// mount, `net:[...]` for namespace files).
    pub root: PathBuf,
    pub mount_point: PathBuf,
    /// Options of this mount (`ro`, `nosuid`, ...).
    pub mount_options: Vec<String>,
    /// Propagation fields (`shared:1`, `master:2`), before the ` - ` separator.
    pub optional: Vec<String>,
    pub fs_type: String,
    pub source: String,
    /// Options of the filesystem itself, shared by all its mounts.
    pub super_options: Vec<String>,
}

impl Mount {
    fn from_line(l: &Line<'_>) -> Mount {
        let f = &l.fields;
        let options = |field: &[u8]| -> Vec<String> {
            text(field)
                .split(',')
                .filter(|o| !o.is_empty())
                .map(str::to_string)
                .collect()
        };
        Mount {
            id: l.id,
            parent: l.parent,
            dev: l.dev,
            root: PathBuf::from(OsString::from_vec(unescape(f[3]))),
            mount_point: PathBuf::from(OsString::from_vec(unescape(f[4]))),
            mount_options: options(f[5]),
            optional: f[6..l.sep].iter().map(|o| text(o).into_owned()).collect(),
            fs_type: l.fs_type().into_owned(),
            source: unescaped_text(f[l.sep + 2]).into_owned(),
            super_options: options(&unescape(f[l.sep + 3])),
        }
    }

    /// Whether writes through this mount fail with EROFS. The per-mount `ro` is what
    /// `mount -o remount,ro` and a read-only bind set; the filesystem's own `ro` is
    /// what the kernel sets alone when it gives up on a disk (ext4's
    /// errors=remount-ro), leaving every mount of it saying `rw`. Both stop writes.
    pub fn read_only(&self) -> bool {
        self.mount_read_only() || self.super_read_only()
    }

    pub fn mount_read_only(&self) -> bool {
        self.mount_options.iter().any(|o| o == "ro")
    }

    pub fn super_read_only(&self) -> bool {
        self.super_options.iter().any(|o| o == "ro")
    }
}

/// Why a mount table could not be read; `line` counts from 1.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub what: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.what)
    }
}

/// The non-blank lines of a table with their numbers (from 1).
pub fn lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    text.split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, l)| (i + 1, l))
}

/// Every mount, in the kernel's order (a mount stacked on another comes after it).
#[derive(Debug, Default)]
pub struct MountTable {
    pub mounts: Vec<Mount>,
}

impl MountTable {
    /// The whole table, or the first line that does not parse.
    pub fn parse(text: &[u8]) -> Result<MountTable, ParseError> {
        let mut mounts = Vec::new();
        for (number, line) in lines(text) {
            let line = Line::parse(line).map_err(|e| ParseError { line: number, ..e })?;
            mounts.push(Mount::from_line(&line));
        }
        Ok(MountTable { mounts })
    }

    pub fn is_empty(&self) -> bool {
        self.mounts.is_empty()
    }

    /// The mount whose filesystem holds `path` (absolute, symlinks already followed):
    /// the longest mount point that is a prefix of it, component by component; of
    /// mounts stacked on one point, the last, which is on top.
    ///
    /// A mount hidden by a later mount on one of its ancestors (mounted on
    /// /var/lib/kubelet, then something on /var) still matches here: the table alone
    /// does not say which of them a lookup reaches.
    pub fn holding(&self, path: &Path) -> Option<&Mount> {
        let mut best: Option<(usize, &Mount)> = None;
        for m in &self.mounts {
            if path.starts_with(&m.mount_point) {
                let depth = m.mount_point.components().count();
                match best {
                    Some((d, _)) if depth < d => {}
                    _ => best = Some((depth, m)),
                }
            }
        }
        best.map(|(_, m)| m)
    }
}

fn parse_dev(field: &[u8]) -> Result<(u32, u32), String> {
    let t = text(field);
    t.split_once(':')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| format!("device {t:?} is not major:minor"))
}

fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// A field as text, escapes undone, borrowed when it has none.
fn unescaped_text(field: &[u8]) -> Cow<'_, str> {
    if field.contains(&b'\\') {
        Cow::Owned(text(&unescape(field)).into_owned())
    } else {
        text(field)
    }
}

/// Undoes the kernel's escapes: space, tab, newline and backslash are written as
/// `\ooo` (three octal digits). Anything else is kept as it is.
pub fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field.get(i + 1..i + 4).filter(|d| {
            field[i] == b'\\' && d[0] <= b'3' && d.iter().all(|c| (b'0'..=b'7').contains(c))
        });
        match octal {
            Some(d) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(line: &[u8]) -> Mount {
        Mount::from_line(&Line::parse(line).unwrap())
    }

    const SAMPLE: &str = "\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
36 27 8:16 / /var/lib/kubelet rw,noatime shared:7 master:2 - xfs /dev/sdb rw,attr2
37 36 0:50 / /var/lib/kubelet/pods/a/volumes/x ro,relatime - nfs4 srv:/export ro,vers=4.2
40 27 0:60 /data /mnt/my\\040disk rw - ext4 /dev/sdc rw
41 27 0:61 / /mnt/back\\134slash rw - tmpfs tmpfs rw
";

    fn table() -> MountTable {
        MountTable::parse(SAMPLE.as_bytes()).unwrap()
    }

    #[test]
    fn fields_are_read_up_to_and_after_the_separator() {
        let t = table();
        assert_eq!(t.mounts.len(), 6);
        let m = &t.mounts[2];
        assert_eq!((m.id, m.parent, m.dev), (36, 27, (8, 16)));
        assert_eq!(m.mount_point, Path::new("/var/lib/kubelet"));
        assert_eq!(m.optional, ["shared:7", "master:2"]);
        assert_eq!(m.fs_type, "xfs");
        assert_eq!(m.source, "/dev/sdb");
        assert_eq!(m.super_options, ["rw", "attr2"]);
        assert!(t.mounts[0].optional.is_empty());
    }

    #[test]
    fn octal_escapes_in_paths() {
        let t = table();
        assert_eq!(t.mounts[4].mount_point, Path::new("/mnt/my disk"));
        assert_eq!(t.mounts[4].root, Path::new("/data"));
        assert_eq!(t.mounts[5].mount_point, Path::new("/mnt/back\\slash"));
        assert_eq!(unescape(b"a\\011b\\012c"), b"a\tb\nc");
        assert_eq!(unescape(b"keep\\x and \\9"), b"keep\\x and \\9");
    }

    #[test]
    fn read_only_per_mount_or_per_filesystem() {
        let t = table();
        assert!(t.mounts[3].read_only() && t.mounts[3].mount_read_only());
        assert!(!t.mounts[2].read_only());
        let line = b"50 27 8:1 / /b rw,relatime - ext4 /dev/sda1 ro,errors=remount-ro";
        let m = mount(line);
        assert!(!m.mount_read_only() && m.super_read_only() && m.read_only());
    }

    #[test]
    fn the_longest_mount_point_holds_a_path() {
        let t = table();
        let at = |p: &str| t.holding(Path::new(p)).unwrap().id;
        assert_eq!(at("/"), 27);
        assert_eq!(at("/var/lib"), 27);
        assert_eq!(at("/var/lib/kubelet"), 36);
        assert_eq!(at("/var/lib/kubelet/pods"), 36);
        assert_eq!(at("/var/lib/kubeletX"), 27);
        assert_eq!(at("/var/lib/kubelet/pods/a/volumes/x/y"), 37);
        assert_eq!(at("/mnt/my disk/z"), 40);
        assert!(MountTable::default().holding(Path::new("/")).is_none());
    }

    #[test]
    fn the_last_of_stacked_mounts_is_on_top() {
        let t = MountTable::parse(
            b"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n\
              2 1 0:40 / /mnt rw - tmpfs a rw\n\
              3 2 0:41 / /mnt ro - tmpfs b ro\n",
        )
        .unwrap();
        assert_eq!(t.holding(Path::new("/mnt/x")).unwrap().id, 3);
    }

    #[test]
    fn an_empty_source_is_a_field() {
        let m = mount(b"5 1 0:52 / /mnt/f rw - fuse.sshfs  rw,user_id=0");
        assert_eq!(m.source, "");
        assert_eq!(m.fs_type, "fuse.sshfs");
    }

    #[test]
    fn namespace_roots_are_not_paths() {
        let m = mount(b"600 30 0:4 net:[4026532] /run/netns/a rw - nsfs nsfs rw");
        assert_eq!(m.root, Path::new("net:[4026532]"));
    }

    #[test]
    fn garbage_is_refused_with_its_line() {
        for (bad, why) in [
            ("x 27 0:1 / / rw - ext4 a rw", "mount ID"),
            ("1 27 0-1 / / rw - ext4 a rw", "major:minor"),
            ("1 27 0:1 / / rw ext4 a rw", "separator"),
            ("1 27 0:1 / / rw - ext4 a", "expected 3"),
            ("1 27 0:1 / rel rw - ext4 a rw", "not absolute"),
            ("1 27 0:1 / / , - ext4 a rw", "no mount options"),
            ("1 27 0:1 / / rw -  a rw", "filesystem type"),
            ("\u{0}\u{1}binary", "separator"),
        ] {
            let text = format!("27 1 8:1 / / rw - ext4 /dev/a rw\n{bad}\n");
            let err = MountTable::parse(text.as_bytes()).unwrap_err();
            assert_eq!(err.line, 2, "{bad}");
            assert!(err.what.contains(why), "{bad}: {}", err.what);
        }
    }

    #[test]
    fn blank_lines_and_a_missing_final_newline_are_fine() {
        let t = MountTable::parse(b"\n27 1 8:1 / / rw - ext4 /dev/a rw").unwrap();
        assert_eq!(t.mounts.len(), 1);
        assert!(MountTable::parse(b"").unwrap().is_empty());
    }
}
