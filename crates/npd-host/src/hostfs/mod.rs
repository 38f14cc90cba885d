//! Host paths reached without a call that can hang in this process.
//!
//! A lookup, stat, statvfs or read on a hung NFS or FUSE mount sleeps in the kernel
//! for as long as the server or daemon does not answer, often uninterruptibly, and a
//! thread asleep there keeps the whole process and its stdout alive past any deadline:
//! NPD's monitor then waits forever. So no plugin thread makes such a call; only a
//! helper process does ([`crate::isolate`]).
//!
//! Which calls could hang is decided from what this process's own lookups go through,
//! whatever the host root: [`HostFs::resolve`] walks a path one component at a time
//! (`walk`), asks the kernel which mount each step entered (its mount ID) and looks
//! that ID up in a mount table. Never by matching paths against a table: the host's
//! table (`/proc/1/mountinfo` under the host root) describes another mount namespace
//! or root as often as not (a chroot, a private mount namespace, a container), and a
//! path prefix can name another mount there. By ID, any table the kernel wrote is
//! right about the IDs it lists (they are unique system-wide): PID 1's when it was
//! read anyway, else this process's own, read once more for a mount made since. A
//! mount this process cannot establish (no /proc, an ID in no table) is treated as
//! one that can hang.
//!
//! Kernel files (`/proc`, `/sys` under the host root) are opened through
//! [`HostFs::open_file`]: the directory is reached by a lookup the kernel answers from
//! its cache when it can, and a file that is a mount of its own (lxcfs puts FUSE files
//! over /proc/meminfo in containers) is never read here.

mod cached;
mod kernel;
mod sys;
mod table;
mod walk;

use std::ffi::OsString;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::mountinfo::MountTable;

pub use table::{fs_type_can_hang, read_proc_file};
pub use walk::MountKind;

use table::OwnMounts;
use walk::{joined, walk, Frame, Walked};

/// Where a host path led.
#[derive(Debug)]
pub enum Reach {
    /// Every lookup was made on mounts that cannot hang, and so is the object's own
    /// mount: calls on `real` can be made here.
    Local {
        /// The host's path, symlinks followed.
        host: PathBuf,
        /// The same, as this process reaches it (under the host root).
        real: PathBuf,
        /// The ID of the object's mount in this process's table.
        mount: u64,
    },
    /// The walk stopped at the root of a mount where a lookup or call could hang (or
    /// whose kind cannot be established): only a helper process may go on.
    Guarded(Guarded),
    /// The host has no such path: its first missing component, host view.
    Missing(PathBuf),
}

/// A path the walk did not finish.
#[derive(Clone, Debug)]
pub struct Guarded {
    /// The whole path, host view: symlinks followed as far as the walk went, the rest
    /// as given (with `..` applied).
    pub host: PathBuf,
    /// The same under the host root, for the helper.
    pub real: PathBuf,
    /// The mount point where the walk stopped, as this process reaches it: the key of
    /// the one helper a hung mount may have.
    pub mount_point: PathBuf,
    /// Its host path, for messages.
    pub mount_host: PathBuf,
    pub kind: MountKind,
}

impl Guarded {
    /// "nfs4 mount /mnt/share", "mount /mnt/x of unknown kind", for messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            MountKind::CanHang(t) => format!("{t} mount {}", self.mount_host.display()),
            _ => format!("mount {} of unknown kind", self.mount_host.display()),
        }
    }
}

/// A lookup that failed for another reason than a missing component (permission
/// denied, a symlink loop, a host root that is not there).
#[derive(Debug)]
pub struct LookupError {
    /// The path looked up when it failed, host view (the host root itself, as this
    /// process names it, when that could not be reached).
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reason = crate::short_io_reason(&self.error);
        write!(f, "{}: {reason}", self.path.display())
    }
}

impl std::error::Error for LookupError {}

/// The host root and what this process knows of its own mounts, for one run.
pub struct HostFs {
    root: PathBuf,
    table: Mutex<TableState>,
    base: OnceLock<Result<Base, (io::ErrorKind, String)>>,
    kernel: kernel::KernelDirs,
}

/// What this run knows of mount IDs: the tables read so far, merged. Mount IDs are
/// unique system-wide among live mounts, so any process's table says the truth about
/// the IDs it lists.
#[derive(Default)]
struct TableState {
    /// Asked in order; the first that lists an ID says its type.
    tables: Vec<OwnMounts>,
    /// The tables still to read when an ID is missing, in order: this process's own,
    /// its own again (a mount made since the first read), PID 1's.
    next: usize,
}

const SOURCES: [&str; 3] = [OwnMounts::OWN, OwnMounts::OWN, OwnMounts::INIT];

/// The host root, reached: its descriptor and mount, or the mount point where reaching
/// it stopped (`None`: not even this process's root could be established).
enum Base {
    Dir {
        fd: OwnedFd,
        mount: u64,
    },
    Guarded {
        mount_point: Option<PathBuf>,
        kind: MountKind,
    },
}

impl HostFs {
    pub fn new(root: impl Into<PathBuf>) -> HostFs {
        HostFs {
            root: root.into(),
            table: Mutex::new(TableState::default()),
            base: OnceLock::new(),
            kernel: kernel::KernelDirs::default(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The kind of mount `id`, from the tables read so far; when they lack it, from
    /// this process's table (read on first need, and once more for a mount made
    /// since), then PID 1's: a chroot's own table leaves out the mount its root
    /// directory is on, PID 1's lists it.
    pub fn classify(&self, id: u64) -> MountKind {
        let mut st = self.table.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(fs_type) = st.tables.iter().find_map(|t| t.get(id)) {
                return if fs_type_can_hang(fs_type) {
                    MountKind::CanHang(fs_type.to_string())
                } else {
                    MountKind::Local
                };
            }
            let Some(source) = SOURCES.get(st.next) else {
                return MountKind::Unknown;
            };
            st.next += 1;
            if let Some(t) = OwnMounts::read(source) {
                st.tables.push(t);
            }
        }
    }

    /// The host's table (`<root>/proc/1/mountinfo`), which a plugin read anyway, added
    /// to what this run knows of mount IDs when it is the kernel's (read from a real
    /// procfs, not a fixture's file): with host root `/` and no chroot or mount
    /// namespace of its own, this process's own table is not read at all.
    pub fn offer_host_table(&self, table: &MountTable) {
        if !self.kernel.proc_is_procfs(self) {
            return;
        }
        let mut st = self.table.lock().unwrap_or_else(|p| p.into_inner());
        st.tables.push(OwnMounts::of(table));
    }

    /// The mount this process's root directory is on (its ID) and whether that
    /// directory is the mount's root: what tells a chroot from a process that shares
    /// PID 1's root. `None` when it cannot be told safely.
    pub fn process_root_mount(&self) -> Option<(u64, bool)> {
        if self.root == Path::new("/") {
            // The host root is this process's root, reached already.
            return match self.base() {
                Ok(Base::Dir { fd, mount }) => Some((*mount, sys::is_mount_root(fd)?)),
                _ => None,
            };
        }
        let root = sys::process_root().ok()?;
        let id = sys::mount_id(&root).ok()?;
        if self.classify(id) != MountKind::Local {
            return None;
        }
        Some((id, sys::is_mount_root(&root)?))
    }

    /// Resolves `path` (absolute, host view) under the host root.
    pub fn resolve(&self, path: impl AsRef<Path>) -> Result<Reach, LookupError> {
        self.resolve_fd(path.as_ref()).map(|(reach, _)| reach)
    }

    /// As [`HostFs::resolve`], with the object's `O_PATH` descriptor when Local.
    fn resolve_fd(&self, path: &Path) -> Result<(Reach, Option<OwnedFd>), LookupError> {
        let (fd, mount) = match self.base()? {
            Base::Dir { fd, mount } => (fd, *mount),
            Base::Guarded { mount_point, kind } => {
                let parts = lexical(path);
                let host = joined(Path::new("/"), &parts);
                let real = joined(&self.root, &parts);
                // Where nothing can be established, each path is its own unknown: a
                // helper stuck on one must not stand for every other path.
                let (mount_point, mount_host) = match mount_point {
                    Some(point) => (point.clone(), PathBuf::from("/")),
                    None => (real.clone(), host.clone()),
                };
                let guarded = Guarded {
                    host,
                    real,
                    mount_point,
                    mount_host,
                    kind: kind.clone(),
                };
                return Ok((Reach::Guarded(guarded), None));
            }
        };
        let classify = |id| self.classify(id);
        let walked = walk(fd, mount, path, &classify).map_err(|e| LookupError {
            path: joined(Path::new("/"), &e.at),
            error: e.error,
        })?;
        Ok(self.reach(walked))
    }

    fn reach(&self, walked: Walked) -> (Reach, Option<OwnedFd>) {
        let names = |frames: &[Frame]| frames.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        let reach = match walked {
            Walked::Reached(mut frames) => {
                let parts = names(&frames);
                let last = frames.pop();
                let reach = Reach::Local {
                    host: joined(Path::new("/"), &parts),
                    real: joined(&self.root, &parts),
                    mount: last.as_ref().map_or_else(|| self.base_mount(), |f| f.mount),
                };
                return (reach, last.map(|f| f.fd));
            }
            Walked::Stopped { frames, kind, rest } => {
                let at = names(&frames);
                let mut all = at.clone();
                for part in rest {
                    if part == ".." {
                        all.pop();
                    } else {
                        all.push(part);
                    }
                }
                Reach::Guarded(Guarded {
                    host: joined(Path::new("/"), &all),
                    real: joined(&self.root, &all),
                    mount_point: joined(&self.root, &at),
                    mount_host: joined(Path::new("/"), &at),
                    kind,
                })
            }
            Walked::Missing { frames, missing } => {
                let mut parts = names(&frames);
                parts.push(missing);
                Reach::Missing(joined(Path::new("/"), &parts))
            }
        };
        (reach, None)
    }

    fn base_mount(&self) -> u64 {
        match self.base() {
            Ok(Base::Dir { mount, .. }) => *mount,
            _ => 0,
        }
    }

    fn base(&self) -> Result<&Base, LookupError> {
        self.base
            .get_or_init(|| self.reach_root())
            .as_ref()
            .map_err(|(kind, text)| LookupError {
                path: self.root.clone(),
                error: io::Error::new(*kind, text.clone()),
            })
    }

    /// Reaches the host root itself from this process's root, the same careful way.
    fn reach_root(&self) -> Result<Base, (io::ErrorKind, String)> {
        let failed = |e: &io::Error| (e.kind(), crate::short_io_reason(e));
        let root = sys::process_root().map_err(|e| failed(&e))?;
        let Ok(mount) = sys::mount_id(&root) else {
            return Ok(Base::Guarded {
                mount_point: None,
                kind: MountKind::Unknown,
            });
        };
        let kind = self.classify(mount);
        match kind {
            MountKind::Local => {}
            MountKind::CanHang(_) => {
                return Ok(Base::Guarded {
                    mount_point: Some(PathBuf::from("/")),
                    kind,
                })
            }
            MountKind::Unknown => {
                return Ok(Base::Guarded {
                    mount_point: None,
                    kind,
                })
            }
        }
        let classify = |id| self.classify(id);
        let walked = walk(&root, mount, &self.root, &classify).map_err(|e| failed(&e.error))?;
        match walked {
            Walked::Reached(mut frames) => match frames.pop() {
                Some(f) => Ok(Base::Dir {
                    fd: f.fd,
                    mount: f.mount,
                }),
                None => Ok(Base::Dir { fd: root, mount }),
            },
            Walked::Stopped { frames, kind, .. } => Ok(Base::Guarded {
                mount_point: Some(joined(Path::new("/"), frames.iter().map(|f| &f.name))),
                kind,
            }),
            Walked::Missing { .. } => Err((io::ErrorKind::NotFound, "not found".into())),
        }
    }

    /// Opens the host file `path` for reading: a kernel file (`/proc/...`, `/sys/...`)
    /// by the cheap way, any other after a careful walk. NotFound when it is not there;
    /// an error that says so when it is on a mount that can hang.
    pub fn open_file(&self, path: &str) -> io::Result<std::fs::File> {
        kernel::open(self, path)
    }

    /// The kernel directory `path` (`/proc`), opened for listing.
    pub fn kernel_dir(&self, path: &str) -> io::Result<OwnedFd> {
        kernel::dir_for_listing(self, path)
    }
}

/// `path`'s components with `..` applied, without looking anything up.
fn lexical(path: &Path) -> Vec<OsString> {
    let mut out: Vec<OsString> = Vec::new();
    for c in walk::components(path) {
        if c == ".." {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
