//! Pressure stall information (PSI) as the kernel publishes it in
//! `/proc/pressure/{cpu,memory,io}`:
//!
//! ```text
//! some avg10=1.53 avg60=0.80 avg300=0.20 total=791287165
//! full avg10=0.00 avg60=0.00 avg300=0.00 total=0
//! ```
//!
//! "some" is the share of wall time in which at least one task was stalled on the
//! resource, "full" the share in which every non-idle task was. The averages are
//! percentages over 10, 60 and 300 seconds. These files are system-wide: NPD's own
//! cgroup and namespaces do not change them.

use crate::hostfile::{self, HostFile};
use crate::{Context, Error, Result};

/// One line's averages, in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Averages {
    pub avg10: f64,
    pub avg60: f64,
    pub avg300: f64,
}

/// A pressure file: `full` is absent for CPU before Linux 5.13, and all zeros after
/// (the kernel does not define it for CPU system-wide).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pressure {
    pub some: Averages,
    pub full: Option<Averages>,
}

/// Parses a pressure file's text; the error says what is wrong, for an Unknown line.
pub fn parse(text: &str) -> Result<Pressure> {
    let mut some = None;
    let mut full = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        let slot = match kind {
            "some" => &mut some,
            "full" => &mut full,
            _ => return Err(Error::unobserved(format!("garbage line {:?}", short(line)))),
        };
        *slot = Some(
            averages(rest)
                .ok_or_else(|| Error::unobserved(format!("garbage line {:?}", short(line))))?,
        );
    }
    match some {
        Some(some) => Ok(Pressure { some, full }),
        None => Err(Error::unobserved("no \"some\" line")),
    }
}

/// Reads `path` (`/proc/pressure/<resource>`) under the host root. A kernel without
/// PSI has no such file: Unknown, saying so.
pub fn read(ctx: &Context, path: &str) -> Result<Pressure> {
    match hostfile::host_file(ctx, path)? {
        HostFile::Text(text) => parse(&text).map_err(|why| hostfile::garbage(ctx, path, why)),
        HostFile::Missing(full) => Err(Error::unobserved(format!(
            "no PSI: {} not found (CONFIG_PSI off or psi=0)",
            full.display()
        ))),
    }
}

fn averages(rest: &str) -> Option<Averages> {
    let (mut a10, mut a60, mut a300) = (None, None, None);
    for field in rest.split_whitespace() {
        let (key, value) = field.split_once('=')?;
        let slot = match key {
            "avg10" => &mut a10,
            "avg60" => &mut a60,
            "avg300" => &mut a300,
            "total" => {
                value.parse::<u64>().ok()?;
                continue;
            }
            _ => continue,
        };
        let v: f64 = value.parse().ok()?;
        if !(0.0..=100.0).contains(&v) {
            return None;
        }
        *slot = Some(v);
    }
    Some(Averages {
        avg10: a10?,
        avg60: a60?,
        avg300: a300?,
    })
}

/// A garbage line is quoted in an 80-byte answer: keep it short.
fn short(line: &str) -> String {
    line.chars().take(24).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_and_old_cpu_files() {
        let p = parse(
            "some avg10=4.18 avg60=1.53 avg300=2.00 total=791287165\n\
             full avg10=0.50 avg60=0.00 avg300=0.00 total=0\n",
        )
        .unwrap();
        assert_eq!(p.some.avg10, 4.18);
        assert_eq!(p.some.avg300, 2.0);
        assert_eq!(p.full.unwrap().avg10, 0.5);
        let cpu = parse("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").unwrap();
        assert_eq!(cpu.full, None);
    }

    #[test]
    fn garbage_is_an_error() {
        for bad in [
            "",
            "\n",
            "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=x avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=0.00 avg60=0.00 total=0\n",
            "some avg10=101.00 avg60=0.00 avg300=0.00 total=0\n",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n",
            "partial avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
            "\u{0}\u{0}\u{0}",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
