//! What is known of one file found: its type, size and modification time (a stat,
//! in a helper process when the file is on a mount that can hang), and whether a
//! line of it matches (local files only, a bounded number of bytes).

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use npd_plugin::isolate::{self, Isolated};
use npd_plugin::{Context, Error, Result};
use regex_lite::Regex;

use super::locate::Found;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Regular,
    Directory,
    /// A FIFO, socket or device: never opened (a FIFO blocks the opener).
    Special,
}

/// A file's stat, the fields rules use.
#[derive(Clone, Copy, Debug)]
pub struct Meta {
    pub kind: Kind,
    pub size: u64,
    pub modified: SystemTime,
}

impl Meta {
    /// Time since the last modification; zero for a time in the future (a clock
    /// stepped back), which --explain shows.
    pub fn age(&self, now: SystemTime) -> Duration {
        now.duration_since(self.modified).unwrap_or(Duration::ZERO)
    }
}

/// The file's stat, or `None` when it is not there (any more).
pub fn stat(found: &Found, ctx: &Context) -> Result<Option<Meta>> {
    match found {
        Found::Local { host, real } => match std::fs::metadata(real) {
            Ok(m) => Ok(Some(Meta {
                kind: kind_of(m.file_type().is_file(), m.file_type().is_dir()),
                size: m.size(),
                modified: time(m.mtime(), m.mtime_nsec()),
            })),
            Err(e) if gone(&e) => Ok(None),
            Err(e) => Err(Error::io(host.display(), &e)),
        },
        Found::Remote(g) => {
            ctx.waiting_for(format!("stat of {} on {}", g.host.display(), g.describe()));
            match isolate::stat(&ctx.isolation(), &g.mount_point, &g.real)
                .map_err(Error::isolation)?
            {
                Isolated::Done(Ok(st)) => {
                    let fmt = st.st_mode & libc::S_IFMT;
                    Ok(Some(Meta {
                        kind: kind_of(fmt == libc::S_IFREG, fmt == libc::S_IFDIR),
                        size: st.st_size as u64,
                        modified: time(st.st_mtime, st.st_mtime_nsec),
                    }))
                }
                Isolated::Done(Err(e)) if gone(&e) => Ok(None),
                Isolated::Done(Err(e)) => Err(Error::io(g.host.display(), &e)),
                Isolated::Hung { .. } => Err(Error::unobserved(format!(
                    "no answer in {} from {} for {}",
                    ctx.timeout_text(),
                    g.describe(),
                    g.host.display()
                ))),
            }
        }
    }
}

fn gone(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}

fn kind_of(regular: bool, dir: bool) -> Kind {
    if regular {
        Kind::Regular
    } else if dir {
        Kind::Directory
    } else {
        Kind::Special
    }
}

fn time(secs: i64, nanos: i64) -> SystemTime {
    let nanos = nanos.clamp(0, 999_999_999) as u32;
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs as u64, nanos)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + Duration::new(0, nanos)
    }
}

/// What a search of a file's first bytes found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Search {
    /// The first matching line (numbered from 1).
    Line { number: usize },
    /// No line matched in the whole file.
    NoMatch,
    /// No line matched in the first `read` bytes, and the file has more.
    NoMatchInPart { read: u64 },
}

/// Searches the first `max_read` bytes of a local regular file, line by line.
pub fn search(found: &Found, regex: &Regex, max_read: u64) -> Result<Search> {
    let (host, real) = match found {
        Found::Local { host, real } => (host, real),
        Found::Remote(g) => {
            return Err(Error::unobserved(format!(
                "{} is on {}: contents are not read there (a read can hang)",
                g.host.display(),
                g.describe()
            )))
        }
    };
    // O_NONBLOCK: a file swapped for a FIFO after the stat must not block the open.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(real)
        .map_err(|e| Error::io(host.display(), &e))?;
    let meta = file.metadata().map_err(|e| Error::io(host.display(), &e))?;
    if !meta.file_type().is_file() || meta.file_type().is_fifo() {
        return Err(Error::unobserved(format!(
            "{} is not a regular file",
            host.display()
        )));
    }
    let mut bytes = Vec::new();
    // One byte more than allowed tells a file that has more from one that ends there.
    file.take(max_read + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(host.display(), &e))?;
    let more = bytes.len() as u64 > max_read;
    bytes.truncate(max_read as usize);
    let mut lines = bytes.split(|b| *b == b'\n').peekable();
    let mut number = 0;
    while let Some(line) = lines.next() {
        number += 1;
        // A line cut by the read limit is not judged: its end might change the answer.
        if more && lines.peek().is_none() {
            break;
        }
        if regex.is_match(&String::from_utf8_lossy(line)) {
            return Ok(Search::Line { number });
        }
    }
    Ok(if more {
        Search::NoMatchInPart { read: max_read }
    } else {
        Search::NoMatch
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn local(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> Found {
        let real = dir.path().join(name);
        std::fs::write(&real, bytes).unwrap();
        Found::Local {
            host: PathBuf::from("/").join(name),
            real,
        }
    }

    #[test]
    fn the_first_matching_line_is_numbered() {
        let dir = tempfile::tempdir().unwrap();
        let f = local(
            &dir,
            "log",
            b"ok\nstill ok\nkernel panic here\npanic again\n",
        );
        let re = Regex::new("panic").unwrap();
        assert_eq!(
            search(&f, &re, 1 << 20).unwrap(),
            Search::Line { number: 3 }
        );
        let re = Regex::new("^nothing$").unwrap();
        assert_eq!(search(&f, &re, 1 << 20).unwrap(), Search::NoMatch);
    }

    #[test]
    fn reading_is_bounded_and_a_cut_line_is_not_judged() {
        let dir = tempfile::tempdir().unwrap();
        let f = local(&dir, "big", b"aaaa\nbbbb\nccXX\n");
        let re = Regex::new("XX").unwrap();
        // 12 bytes: "aaaa\nbbbb\ncc" - the third line is cut before its XX.
        assert_eq!(
            search(&f, &re, 12).unwrap(),
            Search::NoMatchInPart { read: 12 }
        );
        assert_eq!(search(&f, &re, 15).unwrap(), Search::Line { number: 3 });
        let re = Regex::new("bbbb").unwrap();
        assert_eq!(search(&f, &re, 12).unwrap(), Search::Line { number: 2 });
    }

    #[test]
    fn garbage_and_empty_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = local(&dir, "bin", b"\xff\xfe\x00panic\x00\n");
        let re = Regex::new("panic").unwrap();
        assert_eq!(search(&f, &re, 100).unwrap(), Search::Line { number: 1 });
        let f = local(&dir, "empty", b"");
        assert_eq!(search(&f, &re, 100).unwrap(), Search::NoMatch);
    }

    #[test]
    fn times_before_the_epoch() {
        let t = time(-10, 500);
        assert_eq!(
            UNIX_EPOCH.duration_since(t).unwrap(),
            Duration::new(9, 999_999_500)
        );
    }
}
