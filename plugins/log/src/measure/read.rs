//! Reading one file from an offset with a fixed buffer: complete lines are judged,
//! a partial last line is left for the next run, a line longer than `--max-line` is
//! judged on its head once and the rest of it skipped, whatever its length.
//!
//! This is not where files are found or rotations recognised (see [`super::follow`]).

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::time::Instant;

use crate::config::{Config, Format};
use crate::tally::{scan_lines, scan_one, Tally};

/// Where reading a file starts or stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The first byte not judged yet.
    pub offset: u64,
    /// `offset` is inside a line whose head was already judged (a long line, or the
    /// partial line a first run started in): skip to its end.
    pub skipping: bool,
}

pub struct ReadOutcome {
    pub stop: Position,
    pub bytes: u64,
    /// The deadline came before `end`.
    pub interrupted: bool,
}

/// The buffer size: large enough that a read is a few hundred microseconds of work.
pub fn buffer_size(cfg: &Config) -> usize {
    (256 << 10).max(cfg.max_line + (64 << 10))
}

/// CRI partial lines (tag P) waiting for their final part (tag F).
#[derive(Default)]
struct Joined {
    text: Vec<u8>,
    /// File offset of the first part, where the next run starts again if the final
    /// part is not written yet.
    start: Option<u64>,
}

/// Reads `file` from `from` up to `end` (its size when the run looked), judging lines
/// into `tally`; stops early at `deadline`, on a line boundary.
pub fn read(
    cfg: &Config,
    file: &File,
    from: Position,
    end: u64,
    deadline: Instant,
    buf: &mut [u8],
    tally: &mut Tally,
) -> io::Result<ReadOutcome> {
    let cap = buf.len();
    let mut pos = from.offset; // file offset of buf[0]
    let mut len = 0; // bytes held in buf
    let mut skipping = from.skipping;
    let mut bytes = 0;
    let mut interrupted = false;
    let mut joined = Joined::default();
    loop {
        let want = ((cap - len) as u64).min(end.saturating_sub(pos + len as u64)) as usize;
        if want == 0 {
            break;
        }
        if Instant::now() >= deadline {
            interrupted = true;
            break;
        }
        let n = match file.read_at(&mut buf[len..len + want], pos + len as u64) {
            Ok(0) => break, // truncated while being read: the next run sees it
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        bytes += n as u64;
        len += n;
        let mut start = 0;
        if skipping {
            match buf[..len].iter().position(|&b| b == b'\n') {
                Some(i) => {
                    skipping = false;
                    start = i + 1;
                }
                None => {
                    pos += len as u64;
                    len = 0;
                    continue;
                }
            }
        }
        if let Some(i) = buf[start..len].iter().rposition(|&b| b == b'\n') {
            let region = &buf[start..start + i + 1];
            match cfg.format {
                Format::Plain => scan_lines(cfg, region, tally),
                Format::Cri => cri_lines(cfg, region, pos + start as u64, &mut joined, tally),
            }
            start += i + 1;
        }
        if len - start >= cfg.max_line {
            let head = &buf[start..start + cfg.max_line];
            tally.long_lines += 1;
            match cfg.format {
                Format::Plain => scan_one(cfg, head, tally),
                Format::Cri => cri_line(cfg, head, pos + start as u64, &mut joined, tally),
            }
            skipping = true;
            pos += len as u64;
            len = 0;
            continue;
        }
        buf.copy_within(start..len, 0);
        pos += start as u64;
        len -= start;
    }
    let mut stop = Position {
        offset: pos,
        skipping,
    };
    // A CRI line whose final part is not written yet is read again, whole, next time.
    if let (Some(first), false) = (joined.start, skipping) {
        stop.offset = stop.offset.min(first);
    }
    Ok(ReadOutcome {
        stop,
        bytes,
        interrupted,
    })
}

fn cri_lines(cfg: &Config, region: &[u8], mut offset: u64, joined: &mut Joined, tally: &mut Tally) {
    for line in region.split_inclusive(|&b| b == b'\n') {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        cri_line(cfg, body, offset, joined, tally);
        offset += line.len() as u64;
    }
}

/// One CRI line: `<timestamp> <stream> <tags> <message>`, tags starting with P
/// (partial) or F (full). A line not in that shape is judged whole.
fn cri_line(cfg: &Config, line: &[u8], offset: u64, joined: &mut Joined, tally: &mut Tally) {
    let mut parts = line.splitn(4, |&b| b == b' ');
    let (_ts, _stream, tags) = (parts.next(), parts.next(), parts.next());
    let message = parts.next().unwrap_or(b"");
    let partial = match tags.and_then(|t| t.split(|&b| b == b':').next()) {
        Some(b"P") => true,
        Some(b"F") => false,
        _ => {
            scan_one(cfg, line, tally);
            return;
        }
    };
    if partial {
        if joined.start.is_none() {
            joined.start = Some(offset);
        }
        let room = cfg.max_line.saturating_sub(joined.text.len());
        joined
            .text
            .extend_from_slice(&message[..message.len().min(room)]);
        return;
    }
    if joined.start.take().is_some() {
        let room = cfg.max_line.saturating_sub(joined.text.len());
        joined
            .text
            .extend_from_slice(&message[..message.len().min(room)]);
        scan_one(cfg, &joined.text, tally);
        joined.text.clear();
    } else {
        scan_one(cfg, message, tally);
    }
}
