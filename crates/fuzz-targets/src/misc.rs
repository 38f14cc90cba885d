//! Text from other programs and from people: a Nagios plugin's output (npd-nagios),
//! log lines and the response times in them (npd-log), durations and percentages in
//! Go's grammar (flags, NPD configs), NPD's config JSON as `npd-checks lint` reads it.

use std::path::Path;
use std::time::Duration;

use npd_checks::finding::Findings;
use npd_checks::json::Node;
use npd_log::config::{Args, Config, FieldUnit, Format, Missing};
use npd_log::tally::{scan_lines, scan_one, Tally};
use npd_nagios::measure::{first_line, Exit, Ran};
use npd_plugin::units;
use npd_plugin::Configure;

use crate::{capped, printable, printable_err, text};

/// `measure::first_line` and `judge::judge` (npd-nagios) on any output with every
/// kind of exit: one trimmed line, and a printable verdict.
pub fn nagios_output(data: &[u8]) {
    let data = capped(data);
    let line = first_line(data);
    assert!(!line.contains('\n') && line.trim() == line, "{line:?}");
    let config = npd_nagios::config::Config {
        program: "/usr/lib/nagios/plugins/check_x".into(),
        args: Vec::new(),
        name: "check_x".into(),
        warning_is_problem: data.first().is_some_and(|b| b & 1 == 1),
        keep_ok_output: data.first().is_some_and(|b| b & 2 == 2),
    };
    let exits = [0, 1, 2, 3, 4, -1].map(Exit::Code);
    for exit in exits.into_iter().chain([Exit::Signal(9), Exit::TimedOut]) {
        let ran = Ran {
            exit,
            first_line: line.clone(),
            output_len: data.len(),
            killed: 0,
        };
        match npd_nagios::judge::judge(&config, &ran, "10s") {
            Ok(o) => printable(&o.message),
            Err(e) => printable(e.message()),
        }
    }
}

thread_local! {
    /// A time as the last field, in seconds; a time in a named group, in milliseconds.
    static CONFIGS: [npd_log::Config; 2] = [
        log_config("[a-z]", Some("^#"), "-1", FieldUnit::S),
        log_config(r"took=(?P<t>\S+)", None, "t", FieldUnit::Ms),
    ];
}

fn log_config(
    pattern: &str,
    exclude: Option<&str>,
    field: &str,
    unit: FieldUnit,
) -> npd_log::Config {
    Config::configure(Args {
        file: "/var/log/x.log".into(),
        format: Format::Plain,
        pattern: pattern.into(),
        exclude: exclude.map(Into::into),
        max_count: Some(1),
        window: Duration::from_secs(300),
        field: Some(field.into()),
        field_unit: unit,
        max_p95: Some(Duration::from_secs(1)),
        max_p99: None,
        max_mean: None,
        min_samples: 1,
        missing: Missing::Unknown,
        from_start: false,
        max_line: 4096,
        label: None,
    })
    .expect("a valid configuration")
}

/// `tally::scan_lines` (npd-log) over the input's complete lines with a time field by
/// position and by name: matches split into excluded, timed
/// and untimed, the quantiles in order, the sample printable, and the same tally as
/// judging each line alone (`scan_one`).
pub fn log_line(data: &[u8]) {
    let data = capped(data);
    let whole = data.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let buf = &data[..whole];
    let lines = buf.iter().filter(|b| **b == b'\n').count() as u64;
    CONFIGS.with(|configs| {
        for cfg in configs {
            let mut t = Tally::default();
            scan_lines(cfg, buf, &mut t);
            assert!(t.count + t.excluded <= lines, "{t:?}");
            assert!(t.times.count() + t.no_time <= t.count, "{t:?}");
            if let (Some(p50), Some(p99)) = (t.times.quantile(0.5), t.times.quantile(0.99)) {
                assert!(p50 <= p99, "{t:?}");
            }
            // The search over the whole buffer judges what line-by-line judging does.
            let mut each = Tally::default();
            for line in buf.split(|b| *b == b'\n').take(lines as usize) {
                scan_one(cfg, line, &mut each);
            }
            let seen = |t: &Tally| (t.count, t.excluded, t.no_time, t.times.count());
            assert_eq!(seen(&t), seen(&each), "{t:?} {each:?}");
            if let Some(s) = &t.sample {
                printable(s);
            }
        }
    });
}

/// `units::parse_duration`, `npd_checks::dur::Dur::parse` and `units::parse_percent`:
/// a duration fits Go's int64 nanoseconds and, when `format_duration` writes it
/// exactly (whole milliseconds, or whole microseconds under a second), reads back the
/// same; both duration parsers agree; a percentage is within 0..=100.
pub fn duration(data: &[u8]) {
    let t = text(&data[..data.len().min(4096)]);
    let r = units::parse_duration(&t);
    printable_err(&r);
    if let Ok(d) = r {
        assert!(d.as_nanos() <= i64::MAX as u128, "{t:?} is {d:?}");
        let n = d.as_nanos();
        if n % 1_000_000 == 0 || (n < 1_000_000_000 && n % 1_000 == 0) {
            let written = units::format_duration(d);
            assert_eq!(
                units::parse_duration(&written).ok(),
                Some(d),
                "{t:?} written {written:?}"
            );
        }
    }
    match npd_checks::dur::Dur::parse(&t) {
        Ok(dur) => {
            let positive = t.strip_prefix('-').unwrap_or(&t);
            let d = units::parse_duration(positive).expect("what Dur reads, units reads");
            assert_eq!(dur.nanos.unsigned_abs(), d.as_nanos(), "{t:?}");
        }
        Err(e) => printable(&e),
    }
    let r = units::parse_percent(&t);
    printable_err(&r);
    if let Ok(v) = r {
        assert!(
            v <= units::Percent::whole(100) && (0.0..=100.0).contains(&v.as_f64()),
            "{t:?} is {v:?}"
        );
        printable(&v.to_string());
        printable(&units::format_percent(v.as_f64()));
        // What a threshold says in a message is what it reads back as, to a tenth.
        let shown = units::parse_percent(&v.to_string()).expect("a shown percentage parses");
        assert!(
            (shown.as_f64() - v.as_f64()).abs() < 0.051,
            "{t:?}: {v} is {shown:?}"
        );
    }
}

/// NPD's config as `npd-checks lint` decodes it (`json::Node::parse`, then
/// `syslog::config::decode` and `syslog::lint::check` or `config::decode`), without
/// probing plugins: a rule's path is run by lint, and a fuzzed path must not be. JSON
/// that serde_json reads, the Go-compatible reader reads too.
pub fn npd_config(data: &[u8]) {
    let Ok(t) = std::str::from_utf8(capped(data)) else {
        return;
    };
    let root = match Node::parse(t) {
        Ok(root) => root,
        Err(e) => {
            assert!(
                serde_json::from_str::<serde_json::Value>(t).is_err(),
                "serde_json reads what npd-checks refuses: {e}"
            );
            return;
        }
    };
    let path = Path::new("/etc/npd/fuzz.json");
    let mut f = Findings::new("fuzz.json");
    if npd_checks::lint::is_log_monitor(&root) {
        if let Some(c) = npd_checks::syslog::config::decode(path, &root, &mut f) {
            npd_checks::syslog::lint::check(&c, &mut f);
        }
    } else {
        let version = npd_checks::version::NpdVersion::deployed();
        npd_checks::config::decode(path, &root, &version, &mut f);
    }
}
