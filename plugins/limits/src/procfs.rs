//! Reading the kernel's counters and limits: a few small files under `<host-root>/proc`,
//! each read whole in one call. Anything missing, unreadable or not in the kernel's
//! format is an [`Error`] (Unknown): a limit that cannot be read cannot be judged.

use std::io;
use std::path::Path;

use npd_plugin::{Error, Result};

/// The files are a line each; a larger one is not what the kernel writes.
const MAX_BYTES: u64 = 4096;

/// Reads a small file whole, keeping the I/O error for callers that treat "not found"
/// specially (a module that is not loaded).
pub fn read_small(path: &Path) -> io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_BYTES)
        .read_to_string(&mut text)?;
    Ok(text)
}

fn read(path: &Path) -> Result<String> {
    let text = read_small(path).map_err(|e| Error::io(path.display(), &e))?;
    if text.trim().is_empty() {
        return Err(Error::unobserved(format!("{} is empty", path.display())));
    }
    Ok(text)
}

/// A short, printable excerpt of unexpected content for a message.
fn excerpt(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let cut: String = line.chars().take(24).collect();
    format!("{cut:?}")
}

fn garbage(path: &Path, what: &str, text: &str) -> Error {
    Error::unobserved(format!(
        "{}: expected {what}, found {}",
        path.display(),
        excerpt(text)
    ))
}

/// Parses a sysctl holding one integer: a limit (pid_max) must be positive, zero is
/// allowed only when `zero_ok` (a count, or a limit where 0 means none).
pub fn parse_number(path: &Path, text: &str, zero_ok: bool) -> Result<u64> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| garbage(path, "a number", text))?;
    if value == 0 && !zero_ok {
        return Err(Error::unobserved(format!(
            "{}: a limit of 0 makes no sense",
            path.display()
        )));
    }
    Ok(value)
}

/// Reads a limit: one positive integer.
pub fn read_limit(path: &Path) -> Result<u64> {
    parse_number(path, &read(path)?, false)
}

/// Reads one integer where 0 has a meaning of its own.
pub fn read_count(path: &Path) -> Result<u64> {
    parse_number(path, &read(path)?, true)
}

/// Parses `/proc/loadavg` ("0.20 0.18 0.12 1/80 11206") and returns the total after
/// the slash of the fourth field: the kernel's count of tasks (processes and threads,
/// kernel threads included) on the whole machine, whatever the reader's PID namespace.
pub fn parse_loadavg_tasks(path: &Path, text: &str) -> Result<u64> {
    let field = text.split_ascii_whitespace().nth(3);
    let total = field
        .and_then(|f| f.split_once('/'))
        .filter(|(running, _)| running.parse::<u64>().is_ok())
        .and_then(|(_, total)| total.parse::<u64>().ok())
        .filter(|total| *total > 0);
    total.ok_or_else(|| garbage(path, "running/total tasks as 4th field", text))
}

pub fn read_loadavg_tasks(path: &Path) -> Result<u64> {
    parse_loadavg_tasks(path, &read(path)?)
}

/// `/proc/sys/fs/file-nr`: allocated handles, allocated but unused ones (always 0 since
/// Linux 2.6; subtracted anyway), and fs.file-max.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileNr {
    pub allocated: u64,
    pub unused: u64,
    pub max: u64,
}

impl FileNr {
    pub fn used(&self) -> u64 {
        self.allocated.saturating_sub(self.unused)
    }
}

pub fn parse_file_nr(path: &Path, text: &str) -> Result<FileNr> {
    let mut fields = text.split_ascii_whitespace().map(str::parse::<u64>);
    let (Some(Ok(allocated)), Some(Ok(unused)), Some(Ok(max)), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(garbage(path, "three numbers", text));
    };
    if max == 0 {
        return Err(Error::unobserved(format!(
            "{}: a file-max of 0 makes no sense",
            path.display()
        )));
    }
    Ok(FileNr {
        allocated,
        unused,
        max,
    })
}

pub fn read_file_nr(path: &Path) -> Result<FileNr> {
    parse_file_nr(path, &read(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "/proc/x";

    #[test]
    fn loadavg_gives_the_task_total() {
        let p = Path::new(P);
        assert_eq!(
            parse_loadavg_tasks(p, "3.27 2.68 2.29 3/3104 14275\n").unwrap(),
            3104
        );
        for bad in [
            "",
            "3.27 2.68 2.29",
            "3.27 2.68 2.29 3104 1",
            "3.27 2.68 2.29 x/3104 1",
            "3.27 2.68 2.29 3/-1 1",
            "3.27 2.68 2.29 3/0 1",
        ] {
            let err = parse_loadavg_tasks(p, bad).unwrap_err();
            assert!(err.message().starts_with("/proc/x: expected"), "{err}");
        }
    }

    #[test]
    fn file_nr_has_three_fields() {
        let p = Path::new(P);
        let nr = parse_file_nr(p, "12409\t0\t2466174\n").unwrap();
        assert_eq!((nr.used(), nr.max), (12409, 2466174));
        let old = parse_file_nr(p, "5000 1000 100000\n").unwrap();
        assert_eq!(old.used(), 4000);
        let huge = parse_file_nr(p, "1216\t0\t9223372036854775807\n").unwrap();
        assert_eq!(huge.max, i64::MAX as u64);
        for bad in ["", "1 2", "1 2 3 4", "a b c", "1 0 -5"] {
            assert!(parse_file_nr(p, bad).is_err(), "{bad:?}");
        }
        assert!(parse_file_nr(p, "1 0 0")
            .unwrap_err()
            .message()
            .contains("file-max of 0"));
    }

    #[test]
    fn numbers_are_plain_integers() {
        let p = Path::new(P);
        assert_eq!(parse_number(p, "32768\n", false).unwrap(), 32768);
        assert_eq!(parse_number(p, "0\n", true).unwrap(), 0);
        assert!(parse_number(p, "0\n", false).is_err());
        let err = parse_number(p, "lots of them, really very many\n", false).unwrap_err();
        assert_eq!(
            err.message(),
            "/proc/x: expected a number, found \"lots of them, really ver\""
        );
    }
}
