//! The host's process table as procfs shows it: the listing of `<root>/proc`, and
//! each process's `stat` (parsed into [`ProcStat`], the record checks build on), or
//! just its `comm` or `statm`, read through one directory handle into reused
//! buffers. `cmdline.rs` reads command lines through the same handle.
//!
//! Reading a file costs three syscalls (openat, read, close) and no allocation.
//! `comm` and `statm` are about a third cheaper than `stat` for the kernel to
//! produce, which matters when thousands of processes only need a name, or only need
//! ruling out as zombies. Nothing here decides whether a process is good or bad, that
//! is the caller's business.
//!
//! Processes come and go while the directory is read: a process whose files vanish
//! between the listing and the read is skipped silently, as if it had never been
//! listed. Any other failure to read is an error, because a process we could not see
//! might be the one the caller is looking for.

use std::io;
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};

use crate::stat::{parse_pid, parse_stat, parse_switches, ProcStat};

/// A `stat` line is about 300 bytes; one page leaves room for 52 fields of 20 digits.
const STAT_MAX: usize = 4096;

/// What reading one process's `stat` gave.
#[derive(Clone, Copy, Debug)]
pub enum Stat {
    Parsed(ProcStat),
    /// The process exited meanwhile.
    Vanished,
    /// Not what the kernel writes; the raw bytes stay available through
    /// [`ProcDir::last_raw`] until the next read.
    Garbage(&'static str),
}

/// `status` grows with supplementary groups (up to 65536 of them); the switch counts
/// come after them. Read no more than this.
const STATUS_MAX: usize = 1 << 20;

/// Room for a kernel thread's full name; user processes' names take 15 bytes.
pub const COMM_BUF: usize = 64;

/// An open procfs directory (`<host-root>/proc`) being listed.
pub struct ProcDir {
    dir: *mut libc::DIR,
    fd: libc::c_int,
    stat: Box<[u8; STAT_MAX]>,
    stat_len: usize,
}

impl ProcDir {
    /// Opens `path` for listing (the tests' fixture trees; a run opens the host's
    /// /proc through hostfs and [`ProcDir::from_fd`]).
    #[cfg(test)]
    pub fn open(path: &std::path::Path) -> io::Result<ProcDir> {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
        // SAFETY: open(2) on a valid C string.
        let fd = unsafe { libc::open(c.as_ptr(), flags) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a descriptor just opened, owned from here on.
        ProcDir::from_fd(unsafe { std::os::fd::FromRawFd::from_raw_fd(fd) })
    }

    /// Lists the directory `fd` is open on (for reading).
    pub fn from_fd(fd: OwnedFd) -> io::Result<ProcDir> {
        // SAFETY: fdopendir(3) takes the descriptor over, also on success only.
        let dir = unsafe { libc::fdopendir(fd.as_raw_fd()) };
        if dir.is_null() {
            return Err(io::Error::last_os_error());
        }
        // The stream owns the descriptor now.
        let _ = fd.into_raw_fd();
        // SAFETY: `dir` is a valid, open directory stream.
        let fd = unsafe { libc::dirfd(dir) };
        Ok(ProcDir {
            dir,
            fd,
            stat: Box::new([0; STAT_MAX]),
            stat_len: 0,
        })
    }

    /// The PID this process has in the listed procfs (its `self` link), so that a
    /// scan can leave its own process out. `None` for a fixture tree without `self`.
    pub fn self_pid(&self) -> Option<u32> {
        let mut buf = [0u8; 32];
        // SAFETY: readlinkat(2) into a buffer of the length given.
        let n = unsafe {
            libc::readlinkat(
                self.fd,
                c"self".as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        if n <= 0 {
            return None;
        }
        parse_pid(&buf[..n as usize])
    }

    /// The `stat` of one process, `None` when it is gone or its line is garbage.
    pub fn stat(&mut self, pid: u32) -> io::Result<Option<ProcStat>> {
        Ok(match self.read_stat(pid)? {
            Stat::Parsed(p) => Some(p),
            Stat::Vanished | Stat::Garbage(_) => None,
        })
    }

    /// The raw bytes of the last `stat` read, for explaining a garbage line.
    pub fn last_raw(&self) -> &[u8] {
        &self.stat[..self.stat_len]
    }

    /// The kernel's name of `pid` into `buf`, without the newline: `None` when there
    /// is no `comm` to read (the process exited, or a fixture tree has only `stat`).
    pub fn comm(&self, pid: u32, buf: &mut [u8; COMM_BUF]) -> io::Result<Option<usize>> {
        self.read_line(pid, b"comm", buf)
    }

    /// Whether `pid` has a memory map, from the size `statm` shows: every running
    /// user process has one; kernel threads, zombies and processes on their way out
    /// do not. `None` when there is no `statm` to read (as for [`ProcDir::comm`]).
    pub fn has_memory(&self, pid: u32) -> io::Result<Option<bool>> {
        let mut buf = [0u8; 32];
        Ok(match self.read_line(pid, b"statm", &mut buf)? {
            // Numbers have no leading zero: a size that starts with '0' is zero.
            Some(n) if n > 0 && buf[0].is_ascii_digit() => Some(buf[0] != b'0'),
            _ => None,
        })
    }

    /// The context switches of `pid`'s main thread, voluntary and involuntary, from
    /// `status`: a task whose count does not move has not run. `None` when there is
    /// no `status` (the process exited, or a fixture tree has none) or no such lines.
    pub fn switches(&self, pid: u32) -> io::Result<Option<u64>> {
        let fd = match self.open_file(pid, b"status") {
            Ok(Some(fd)) => fd,
            Ok(None) => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => return Ok(None),
            Err(e) => return Err(e),
        };
        // `status` is about 1.5 KB; a long Groups line can make it longer, and the
        // switch counts are its last lines.
        let mut text = Vec::with_capacity(4096);
        let mut chunk = [0u8; 4096];
        while text.len() < STATUS_MAX {
            match read_some(fd.0, &mut chunk) {
                Ok(0) => break,
                Ok(n) => text.extend_from_slice(&chunk[..n]),
                Err(e) if vanished(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(parse_switches(&text))
    }

    /// The first line of a small file of `pid`, without its newline. `None` when the
    /// file or the process is gone, or `<pid>` is not a directory (`stat` says so).
    fn read_line(&self, pid: u32, file: &[u8], buf: &mut [u8]) -> io::Result<Option<usize>> {
        let fd = match self.open_file(pid, file) {
            Ok(Some(fd)) => fd,
            Ok(None) => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut len = 0;
        while len < buf.len() {
            match read_some(fd.0, &mut buf[len..]) {
                Ok(0) => break,
                Ok(n) => {
                    if let Some(end) = buf[len..len + n].iter().position(|b| *b == b'\n') {
                        return Ok(Some(len + end));
                    }
                    len += n;
                }
                Err(e) if vanished(&e) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Ok(Some(len))
    }

    /// The next PID of the listing, `None` at its end.
    pub fn next_pid(&mut self) -> io::Result<Option<u32>> {
        loop {
            // readdir(3) tells the end from an error only through errno.
            // SAFETY: errno is thread-local; readdir on the open stream we own.
            let entry = unsafe {
                *libc::__errno_location() = 0;
                libc::readdir(self.dir)
            };
            if entry.is_null() {
                let err = io::Error::last_os_error();
                return match err.raw_os_error() {
                    Some(0) | None => Ok(None),
                    Some(_) => Err(err),
                };
            }
            // SAFETY: readdir returned a valid entry whose d_name is NUL-terminated.
            let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) };
            if let Some(pid) = parse_pid(name.to_bytes()) {
                return Ok(Some(pid));
            }
        }
    }

    /// Reads and parses the `stat` of `pid`.
    pub fn read_stat(&mut self, pid: u32) -> io::Result<Stat> {
        self.stat_len = 0;
        let fd = match self.open_file(pid, b"stat") {
            Ok(Some(fd)) => fd,
            Ok(None) => return Ok(Stat::Vanished),
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {
                return Ok(Stat::Garbage("not a process directory"))
            }
            Err(e) => return Err(e),
        };
        // Stop at the newline that ends every stat line: it saves the read that
        // would only return end of file.
        while self.stat_len < STAT_MAX {
            match read_some(fd.0, &mut self.stat[self.stat_len..]) {
                Ok(0) => break,
                Ok(n) => {
                    self.stat_len += n;
                    if self.stat[self.stat_len - 1] == b'\n' {
                        break;
                    }
                }
                Err(e) if vanished(&e) => return Ok(Stat::Vanished),
                Err(e) => return Err(e),
            }
        }
        if self.stat_len == STAT_MAX {
            return Ok(Stat::Garbage("longer than any stat line"));
        }
        Ok(match parse_stat(&self.stat[..self.stat_len]) {
            Ok(p) if p.pid == pid => Stat::Parsed(p),
            Ok(_) => Stat::Garbage("PID differs from its directory"),
            Err(why) => Stat::Garbage(why),
        })
    }

    /// Opens `<pid>/<file>` relative to the directory: no path is built, and the
    /// kernel resolves only the last two components.
    pub(crate) fn open_file(&self, pid: u32, file: &[u8]) -> io::Result<Option<Fd>> {
        let mut path = [0u8; 32];
        let mut len = write_decimal(&mut path, pid);
        path[len] = b'/';
        len += 1;
        path[len..len + file.len()].copy_from_slice(file);
        path[len + file.len()] = 0;
        let flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY;
        // SAFETY: `path` is NUL-terminated; openat(2) relative to our directory fd.
        let fd = unsafe { libc::openat(self.fd, path.as_ptr().cast(), flags) };
        if fd >= 0 {
            return Ok(Some(Fd(fd)));
        }
        let err = io::Error::last_os_error();
        if vanished(&err) {
            Ok(None)
        } else {
            Err(err)
        }
    }
}

impl Drop for ProcDir {
    fn drop(&mut self) {
        // SAFETY: closes the stream we opened (and with it `fd`), exactly once.
        unsafe { libc::closedir(self.dir) };
    }
}

/// A file descriptor closed on drop.
pub(crate) struct Fd(pub(crate) libc::c_int);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: closes a descriptor we opened, exactly once.
        unsafe { libc::close(self.0) };
    }
}

pub(crate) fn read_some(fd: libc::c_int, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: read(2) into a buffer of the length given.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// The process exited between the listing and the read (ESRCH is what procfs
/// answers for a task that is gone while its file is open).
pub(crate) fn vanished(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENOENT) | Some(libc::ESRCH))
}

fn write_decimal(out: &mut [u8], mut v: u32) -> usize {
    let mut digits = [0u8; 10];
    let mut n = 0;
    loop {
        digits[n] = b'0' + (v % 10) as u8;
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for i in 0..n {
        out[i] = digits[n - 1 - i];
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_writing_round_trips() {
        for v in [0, 7, 10, 4242, u32::MAX] {
            let mut buf = [0u8; 10];
            let n = write_decimal(&mut buf, v);
            assert_eq!(&buf[..n], v.to_string().as_bytes());
        }
    }

    #[test]
    fn a_missing_process_is_not_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let mut dir = ProcDir::open(tmp.path()).unwrap();
        assert!(dir.stat(99).unwrap().is_none());
        assert!(dir.comm(99, &mut [0; COMM_BUF]).unwrap().is_none());
        assert!(dir.has_memory(99).unwrap().is_none());
        assert!(dir.next_pid().unwrap().is_none());
        assert_eq!(dir.self_pid(), None);
    }

    #[test]
    fn the_real_proc_knows_this_process() {
        let mut dir = ProcDir::open(std::path::Path::new("/proc")).unwrap();
        assert_eq!(dir.self_pid(), Some(std::process::id()));
        let me = dir.stat(std::process::id()).unwrap().unwrap();
        assert_eq!(me.pid, std::process::id());
        assert!(!me.is_kernel_thread());
        let mut buf = [0; COMM_BUF];
        let n = dir.comm(std::process::id(), &mut buf).unwrap().unwrap();
        assert_eq!(&buf[..n], me.comm());
        assert_eq!(dir.has_memory(std::process::id()).unwrap(), Some(true));
        assert!(dir.switches(std::process::id()).unwrap().is_some());
        if dir
            .stat(2)
            .unwrap()
            .is_some_and(|p| p.comm() == b"kthreadd")
        {
            assert_eq!(
                dir.has_memory(2).unwrap(),
                Some(false),
                "kernel threads have none"
            );
        }
    }
}
