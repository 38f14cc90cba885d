//! A plugin run inside a chroot: a temp tree holding the (static) plugin binary, in
//! which paths mean something other than in PID 1's mount table. With `/proc` bound
//! in, the plugin sees its own mounts; without, it has no mount table at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::skip;
use crate::Invocation;

/// Whether this process's root directory is a mount point. It is not in a plain chroot
/// (debootstrap, then chroot): there buildah cannot remount `/`, and no mount namespace
/// of its own can be made private. schroot and arch-chroot bind the root onto itself.
pub fn root_is_a_mount() -> bool {
    let mut stx = std::mem::MaybeUninit::<libc::statx>::zeroed();
    // SAFETY: statx of "/" into our buffer.
    let rc = unsafe { libc::statx(libc::AT_FDCWD, c"/".as_ptr(), 0, 0, stx.as_mut_ptr()) };
    // SAFETY: filled by the kernel when rc is 0.
    let stx = unsafe { stx.assume_init() };
    let bit = libc::STATX_ATTR_MOUNT_ROOT as u64;
    // A kernel that cannot tell (before 5.8) is taken to run outside a chroot.
    rc != 0 || stx.stx_attributes_mask & bit == 0 || stx.stx_attributes & bit != 0
}

/// The tree; dropping it unmounts its /proc.
pub struct Chroot {
    dir: tempfile::TempDir,
    program: String,
    proc_bound: bool,
}

impl Chroot {
    /// A tree with `bin` at `/bin/<its name>`, the directories `dirs` (paths inside),
    /// a `/state` directory, and `/proc` bound from this machine's when `with_proc`.
    /// `None` after [`skip`] where this process cannot chroot (not root).
    pub fn new(test: &str, bin: &str, dirs: &[&str], with_proc: bool) -> Option<Chroot> {
        if !crate::is_root() {
            skip(test, "not root");
            return None;
        }
        let dir = tempfile::tempdir().expect("chroot dir");
        let name = Path::new(bin).file_name().expect("binary name");
        let program = format!("/bin/{}", name.to_string_lossy());
        let mut made = vec!["bin", "state", "proc"];
        made.extend(dirs.iter().map(|d| d.trim_start_matches('/')));
        for d in made {
            std::fs::create_dir_all(dir.path().join(d)).expect("chroot tree");
        }
        std::fs::copy(bin, dir.path().join(&program[1..])).expect("copy the plugin");
        let mut chroot = Chroot {
            dir,
            program,
            proc_bound: false,
        };
        if with_proc {
            let ok = Command::new("mount")
                .args(["--bind", "/proc"])
                .arg(chroot.path("/proc"))
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "bind /proc into the chroot");
            chroot.proc_bound = true;
        }
        Some(chroot)
    }

    /// `inside` (a path in the chroot) as this process reaches it.
    pub fn path(&self, inside: &str) -> PathBuf {
        self.dir.path().join(inside.trim_start_matches('/'))
    }

    /// A run of the plugin inside the chroot; give it `--state-dir /state`.
    pub fn invocation(&self, args: &[&str]) -> Invocation {
        let root = std::ffi::CString::new(self.dir.path().to_str().expect("UTF-8 temp dir"))
            .expect("no NUL in a path");
        Invocation::new(&self.program, args).setup(move |cmd| {
            use std::os::unix::process::CommandExt;
            // SAFETY: chroot and chdir are async-signal-safe; the path was prepared
            // before the fork.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::chroot(root.as_ptr()) != 0 || libc::chdir(c"/".as_ptr()) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        })
    }
}

impl Drop for Chroot {
    fn drop(&mut self) {
        if self.proc_bound {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.path("/proc"))
                .stderr(Stdio::null())
                .status();
        }
    }
}
