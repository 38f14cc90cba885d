//! `npd-checks install`: copies every `npd-*` executable of a directory into another,
//! one file at a time and atomically (a temporary name in the target directory, fsync,
//! mode 0755, rename), so that NPD never execs a half-written plugin. It is what the
//! initContainer of an image built FROM scratch runs: there is no `cp` there.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// One installed file.
pub struct Installed {
    pub name: String,
    pub to: PathBuf,
    pub bytes: u64,
}

/// The `npd-*` executables (regular files with an execute bit) directly in `from`,
/// sorted by name.
pub fn candidates(from: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        fs::read_dir(from).map_err(|e| format!("cannot read --from {}: {e}", from.display()))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with("npd-") || name.contains('.') {
            continue;
        }
        let path = entry.path();
        match fs::metadata(&path) {
            Ok(m) if m.is_file() && m.permissions().mode() & 0o111 != 0 => found.push(path),
            _ => {}
        }
    }
    found.sort();
    Ok(found)
}

/// Copies every candidate of `from` into `to` (created if missing). Stops at the first
/// file that cannot be installed.
pub fn install(from: &Path, to: &Path, mut each: impl FnMut(&Installed)) -> Result<usize, String> {
    let files = candidates(from)?;
    if files.is_empty() {
        return Err(format!(
            "no npd-* executables in {} (use --from to name the directory holding them)",
            from.display()
        ));
    }
    fs::create_dir_all(to).map_err(|e| format!("cannot create --to {}: {e}", to.display()))?;
    if same_dir(from, to) {
        return Err(format!(
            "--from and --to are the same directory ({})",
            to.display()
        ));
    }
    for src in &files {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dest = to.join(&name);
        let bytes = copy_atomically(src, &dest).map_err(|e| {
            format!(
                "cannot install {} into {}: {e}",
                src.display(),
                to.display()
            )
        })?;
        each(&Installed {
            name,
            to: dest,
            bytes,
        });
    }
    if let Ok(dir) = File::open(to) {
        let _ = dir.sync_all();
    }
    Ok(files.len())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Copies `src` to a temporary name next to `dest`, syncs it, makes it 0755 and renames
/// it over `dest`.
fn copy_atomically(src: &Path, dest: &Path) -> io::Result<u64> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    // A crash of an earlier install (an initContainer is often pid 1 every time) may have
    // left this very name behind.
    let _ = fs::remove_file(&tmp);
    let result = (|| {
        let mut input = File::open(src)?;
        let mut output = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        let bytes = io::copy(&mut input, &mut output)?;
        output.sync_all()?;
        output.set_permissions(fs::Permissions::from_mode(0o755))?;
        drop(output);
        fs::rename(&tmp, dest)?;
        Ok(bytes)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The directory of the running executable: the default `--from`.
pub fn own_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find the running executable ({e}); pass --from"))?;
    exe.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "cannot find the running executable's directory; pass --from".to_string())
}
