//! Running a plugin as user nobody, for the tests that need a reader other than root
//! (root reads whatever the mode bits say): the privilege drop, and a copy of the
//! binary that user can reach.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Makes `cmd` run as user nobody (uid and gid 65534, no supplementary groups).
pub(crate) fn drop_to_nobody(cmd: &mut Command) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// A plugin binary linked (or copied) into a fresh directory of mode 0755 under the
/// system's temp dir, removed with it.
pub(crate) struct ReachableCopy {
    dir: tempfile::TempDir,
    name: OsString,
}

impl ReachableCopy {
    pub(crate) fn of(bin: &Path) -> ReachableCopy {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir for the binary");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod the binary's temp dir");
        let name = bin.file_name().expect("binary name").to_os_string();
        let to = dir.path().join(&name);
        // A hard link costs nothing where the temp dir is on the same filesystem.
        if std::fs::hard_link(bin, &to).is_err() {
            std::fs::copy(bin, &to)
                .unwrap_or_else(|e| panic!("copy {} for user nobody: {e}", bin.display()));
        }
        ReachableCopy { dir, name }
    }

    pub(crate) fn path(&self) -> PathBuf {
        self.dir.path().join(&self.name)
    }
}
