//! Command lines, read on demand through an open procfs directory into one reused
//! buffer: the arguments joined by spaces (what `--cmdline` patterns search) and
//! argv[0] (what confirms a name longer than the kernel's 15 bytes).
//!
//! Reading `/proc/<pid>/cmdline` takes the process's memory map lock, unlike `stat`,
//! so it is only done where a selector needs it.

use std::io;

use super::procfs::{read_some, vanished, ProcDir};

/// Bytes kept of a command line: enough for the long classpaths of Java services,
/// bounded so that one process cannot inflate the plugin's memory.
pub const CMDLINE_MAX: usize = 128 * 1024;

/// The last command line read.
#[derive(Default)]
pub struct Cmdline {
    text: Vec<u8>,
    argv0_len: usize,
}

impl Cmdline {
    /// Reads the command line of `pid`. Returns `false` when the process is gone;
    /// kernel threads and zombies have an empty one.
    pub fn load(&mut self, dir: &ProcDir, pid: u32) -> io::Result<bool> {
        self.text.clear();
        self.argv0_len = 0;
        let Some(fd) = dir.open_file(pid, b"cmdline")? else {
            return Ok(false);
        };
        let mut chunk = [0u8; 4096];
        while self.text.len() < CMDLINE_MAX {
            match read_some(fd.0, &mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    let room = CMDLINE_MAX - self.text.len();
                    self.text.extend_from_slice(&chunk[..n.min(room)]);
                    // procfs fills the whole buffer while there is more: a short read
                    // is the end, which saves the read that would only say so.
                    if n < chunk.len() {
                        break;
                    }
                }
                Err(e) if vanished(&e) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        self.join();
        Ok(true)
    }

    /// The arguments joined by spaces.
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// The last component of argv[0]: the name the process was started as, in full,
    /// where the kernel's own copy is cut at 15 bytes.
    pub fn argv0_basename(&self) -> &[u8] {
        let argv0 = &self.text[..self.argv0_len];
        match argv0.iter().rposition(|b| *b == b'/') {
            Some(i) => &argv0[i + 1..],
            None => argv0,
        }
    }

    /// Turns the NUL-separated arguments into one line in place, remembering where
    /// argv[0] ended.
    fn join(&mut self) {
        while self.text.last() == Some(&0) {
            self.text.pop();
        }
        self.argv0_len = match self.text.iter().position(|b| *b == 0) {
            Some(end) => end,
            // A single argument: a plain command, or a process that rewrote its title
            // as one string ("name --flags"), whose first word is argv[0].
            None => self
                .text
                .iter()
                .position(|b| *b == b' ')
                .unwrap_or(self.text.len()),
        };
        for b in self.text.iter_mut() {
            if *b == 0 {
                *b = b' ';
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(raw: &[u8]) -> Cmdline {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("7")).unwrap();
        std::fs::write(tmp.path().join("7/cmdline"), raw).unwrap();
        let dir = ProcDir::open(tmp.path()).unwrap();
        let mut c = Cmdline::default();
        assert!(c.load(&dir, 7).unwrap());
        c
    }

    #[test]
    fn args_are_joined_and_argv0_kept() {
        let c = loaded(b"/usr/bin/kube-controller-manager\0--v=2\0");
        assert_eq!(c.text(), b"/usr/bin/kube-controller-manager --v=2");
        assert_eq!(c.argv0_basename(), b"kube-controller-manager");
    }

    #[test]
    fn a_rewritten_title_yields_its_first_word() {
        let c = loaded(b"kube-controller-manager --leader-elect\0\0\0");
        assert_eq!(c.argv0_basename(), b"kube-controller-manager");
        let c = loaded(b"/opt/my app/run\0-x\0");
        assert_eq!(c.argv0_basename(), b"run");
    }

    #[test]
    fn empty_and_huge_command_lines() {
        let c = loaded(b"");
        assert_eq!((c.text(), c.argv0_basename()), (&b""[..], &b""[..]));
        let c = loaded(&vec![b'x'; CMDLINE_MAX + 5000]);
        assert_eq!(c.text().len(), CMDLINE_MAX);
    }

    #[test]
    fn a_process_gone_is_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = ProcDir::open(tmp.path()).unwrap();
        assert!(!Cmdline::default().load(&dir, 99).unwrap());
    }
}
