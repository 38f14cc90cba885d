//! Host files read under --host-root: mount tables, `/proc/<pid>/stat` and `status`,
//! and the one-value files (PSI, meminfo, vmstat, loadavg, file-nr, sysctls and the
//! conntrack count, a link's sysfs flags and operstate).

use std::path::Path;

use npd_host::mountinfo::{Line, MountTable};
use npd_host::procstat;

use crate::{capped, printable, printable_err, text};

/// `MountTable::parse` (npd-disk, hostfs): a table that parses, written back with the
/// kernel's escapes, parses to the same mounts; each line alone parses as in the table.
pub fn mountinfo(data: &[u8]) {
    let data = capped(data);
    let table = match MountTable::parse(data) {
        Ok(t) => t,
        Err(e) => {
            assert!(e.line >= 1, "line numbers count from 1");
            printable(&e.to_string());
            return;
        }
    };
    for m in &table.mounts {
        let line = encode_mount(m);
        let again = MountTable::parse(&line)
            .unwrap_or_else(|e| panic!("{m:?} written as {:?}: {e}", line.escape_ascii()));
        assert_eq!(
            again.mounts,
            std::slice::from_ref(m),
            "{:?}",
            line.escape_ascii()
        );
        let l = Line::parse(&line).expect("the line parsed in its table");
        assert_eq!((l.id, l.parent, l.dev), (m.id, m.parent, m.dev));
        assert_eq!(l.fs_type(), m.fs_type);
        let held = table
            .holding(&m.mount_point)
            .expect("a mount holds its own point");
        assert!(m.mount_point.starts_with(&held.mount_point));
    }
}

/// A mount as the kernel writes it: space, tab, newline and backslash as `\ooo`.
fn encode_mount(m: &npd_host::mountinfo::Mount) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let mut out = format!("{} {} {}:{} ", m.id, m.parent, m.dev.0, m.dev.1).into_bytes();
    escape(m.root.as_os_str().as_bytes(), &mut out);
    out.push(b' ');
    escape(m.mount_point.as_os_str().as_bytes(), &mut out);
    out.push(b' ');
    out.extend_from_slice(m.mount_options.join(",").as_bytes());
    for o in &m.optional {
        out.push(b' ');
        out.extend_from_slice(o.as_bytes());
    }
    out.extend_from_slice(b" - ");
    escape(m.fs_type.as_bytes(), &mut out);
    out.push(b' ');
    escape(m.source.as_bytes(), &mut out);
    out.push(b' ');
    escape(m.super_options.join(",").as_bytes(), &mut out);
    out
}

fn escape(field: &[u8], out: &mut Vec<u8>) {
    for &b in field {
        match b {
            b' ' | b'\t' | b'\n' | b'\\' => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
            b => out.push(b),
        }
    }
}

/// `procstat::parse_stat`, `parse_switches` and `parse_pid` (npd-process, hostfs): a
/// stat line that parses, written back, parses to the same fields; a PID is its digits.
pub fn proc_stat(data: &[u8]) {
    let data = capped(data);
    if let Ok(s) = procstat::parse_stat(data) {
        let mut line = format!("{} (", s.pid).into_bytes();
        line.extend_from_slice(s.comm());
        line.extend_from_slice(
            format!(
                ") {} {} 0 0 0 0 {} 0 0 0 0 0 0 0 0 0 0 {} 0 {} 0\n",
                char::from(s.state),
                s.ppid,
                s.flags,
                s.num_threads,
                s.starttime
            )
            .as_bytes(),
        );
        let t = procstat::parse_stat(&line).expect("a written stat line parses");
        assert_eq!(
            (
                t.pid,
                t.comm(),
                t.state,
                t.ppid,
                t.flags,
                t.num_threads,
                t.starttime
            ),
            (
                s.pid,
                s.comm(),
                s.state,
                s.ppid,
                s.flags,
                s.num_threads,
                s.starttime
            )
        );
        assert!(s.comm().len() <= 64);
    }
    if let Some(n) = procstat::parse_switches(data) {
        let status = format!("voluntary_ctxt_switches:\t{n}\nnonvoluntary_ctxt_switches:\t0\n");
        assert_eq!(procstat::parse_switches(status.as_bytes()), Some(n));
    }
    if let Some(pid) = procstat::parse_pid(data) {
        assert_eq!(pid.to_string().as_bytes(), data, "a PID is its own digits");
        assert!(pid > 0 && pid <= i32::MAX as u32);
    }
}

/// The one-value host files, the first byte choosing the parser: PSI, meminfo, vmstat,
/// npd-cpu's and npd-limits' loadavg, file-nr, a sysctl or the conntrack count, and a
/// link's flags and operstate. Values are in range and errors printable.
pub fn proc_values(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let t = text(rest);
    let path = Path::new("/proc/x");
    match which % 9 {
        0 => {
            let r = npd_plugin::psi::parse(&t);
            printable_err(&r);
            if let Ok(p) = r {
                for a in std::iter::once(p.some).chain(p.full) {
                    for v in [a.avg10, a.avg60, a.avg300] {
                        assert!(v.is_finite() && (0.0..=100.0).contains(&v), "{a:?}");
                    }
                }
            }
        }
        1 => {
            let r = npd_memory::meminfo::parse(&t);
            printable_err(&r);
            if let Ok(m) = r {
                assert!(m.total > 0 && m.available <= m.total);
                assert!((0.0..=100.0).contains(&m.available_pct()));
            }
        }
        2 => printable_err(&npd_memory::vmstat::parse_vmstat(&t)),
        3 => {
            let r = npd_cpu::loadavg::parse(&t);
            printable_err(&r);
            if let Ok(l) = r {
                for v in [l.one, l.five, l.fifteen] {
                    assert!(v.is_finite() && v >= 0.0);
                }
            }
        }
        4 => {
            let r = npd_limits::procfs::parse_loadavg_tasks(path, &t);
            printable_err(&r);
            assert!(r.map_or(true, |n| n > 0));
        }
        5 => {
            let r = npd_limits::procfs::parse_file_nr(path, &t);
            printable_err(&r);
            if let Ok(f) = r {
                assert!(f.max > 0 && f.used() <= f.allocated);
            }
        }
        6 | 7 => {
            let zero_ok = which % 9 == 7;
            let r = npd_limits::procfs::parse_number(path, &t, zero_ok);
            printable_err(&r);
            if let Ok(n) = r {
                assert!(zero_ok || n > 0);
                assert_eq!(
                    npd_limits::procfs::parse_number(path, &n.to_string(), zero_ok).ok(),
                    Some(n)
                );
            }
        }
        _ => {
            let r = npd_network::link::parse_flags(&t);
            printable_err(&r);
            if let Ok(f) = r {
                assert_eq!(
                    npd_network::link::parse_flags(&format!("{f:#x}")).ok(),
                    Some(f)
                );
            }
            let r = npd_network::link::parse_operstate(&t);
            printable_err(&r);
            if let Ok(s) = r {
                assert_eq!(s, t.trim());
            }
        }
    }
}
