//! The kernel threads of the table, known from one file instead of one per thread.
//!
//! Every kernel thread but kthreadd itself is a child of kthreadd (PID 2 of the
//! host's PID namespace), and procfs lists a task's children in
//! `<pid>/task/<tid>/children` (CONFIG_PROC_CHILDREN, on in the distributions'
//! kernels). A scan that does not need kernel threads' states passes over them
//! without opening a file of each: on a small node they are most of the table (56 of
//! the 66 processes of the machine the benchmarks ran on), and every file opened in
//! /proc costs the kernel a lookup and a generated text.
//!
//! The shortcut never makes a user process look like a kernel thread: kernel threads
//! are never reparented, and Linux hands out PIDs in a cycle over `pid_max`, so a
//! PID freed by an exiting kernel thread is not handed to a new process within the
//! milliseconds of one scan. A kernel thread missing from the list (started after
//! the read, or missed: the kernel documents the list as unreliable while children
//! come and go) is read the usual way, whose `stat` tells it apart. Without the file
//! (an older kernel, a fixture tree) or without kthreadd at PID 2 (a procfs of
//! another PID namespace), the list is empty and every process is read.

use std::io;

use super::procfs::{read_some, vanished, ProcDir};
use crate::stat::parse_pid;

/// kthreadd's PID in the host's PID namespace.
const KTHREADD: u32 = 2;

/// The children file of a node with thousands of kernel threads is tens of KB; a
/// bound keeps a garbage file from growing the buffer without end (what is past it
/// is read the usual way).
const CHILDREN_MAX: usize = 1 << 20;

/// PIDs of kernel threads, sorted.
#[derive(Debug, Default)]
pub struct KernelThreads {
    pids: Vec<u32>,
}

impl KernelThreads {
    /// kthreadd's children, when PID 2 of `dir` is kthreadd and the kernel lists
    /// them; an empty list otherwise. An error only for a failure to read that is
    /// not the file's or the process's absence.
    pub fn listed(dir: &mut ProcDir) -> io::Result<KernelThreads> {
        let is_kthreadd = dir
            .stat(KTHREADD)?
            .is_some_and(|p| p.comm() == b"kthreadd" && p.ppid == 0);
        if !is_kthreadd {
            return Ok(KernelThreads::default());
        }
        let fd = match dir.open_file(KTHREADD, b"task/2/children") {
            Ok(Some(fd)) => fd,
            Ok(None) => return Ok(KernelThreads::default()),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
                return Ok(KernelThreads::default())
            }
            Err(e) => return Err(e),
        };
        let mut text = Vec::with_capacity(4096);
        let mut chunk = [0u8; 4096];
        while text.len() < CHILDREN_MAX {
            match read_some(fd.0, &mut chunk) {
                Ok(0) => break,
                Ok(n) => text.extend_from_slice(&chunk[..n]),
                Err(e) if vanished(&e) => return Ok(KernelThreads::default()),
                Err(e) => return Err(e),
            }
        }
        Ok(KernelThreads::parse(&text))
    }

    /// The PIDs of a children list ("3 4 5 "); anything that is not a PID ends it,
    /// so garbage leaves the processes after it to be read the usual way.
    fn parse(text: &[u8]) -> KernelThreads {
        let mut pids = Vec::new();
        for word in text
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
        {
            match parse_pid(word) {
                Some(pid) if pid != KTHREADD => pids.push(pid),
                _ => break,
            }
        }
        pids.sort_unstable();
        pids.dedup();
        KernelThreads { pids }
    }

    pub fn contains(&self, pid: u32) -> bool {
        self.pids.binary_search(&pid).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_children_list_is_read_up_to_the_first_word_that_is_no_pid() {
        let k = KernelThreads::parse(b"3 4 10 7 ");
        assert_eq!(k.pids, [3, 4, 7, 10]);
        assert!(k.contains(7) && !k.contains(5));
        let k = KernelThreads::parse(b"3 x 9");
        assert_eq!(k.pids, [3]);
        assert!(KernelThreads::parse(b"").pids.is_empty());
        // kthreadd is never its own child: a list naming it is not trusted past it.
        assert_eq!(KernelThreads::parse(b"5 2 6").pids, [5]);
    }

    #[test]
    fn the_real_kthreadd_lists_only_kernel_threads() {
        let mut dir = ProcDir::open(std::path::Path::new("/proc")).unwrap();
        let k = KernelThreads::listed(&mut dir).unwrap();
        for pid in &k.pids {
            if let Some(p) = dir.stat(*pid).unwrap() {
                assert!(
                    p.is_kernel_thread(),
                    "{pid} is listed but is no kernel thread"
                );
            }
        }
        assert!(!k.contains(std::process::id()));
    }
}
