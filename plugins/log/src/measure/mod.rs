//! Every read and write of a run: the files `--file` names now ([`glob`]), the
//! state kept by the previous run, the bytes appended since then ([`follow`], which
//! hands them to [`read`] and so to [`crate::tally`]), the clocks, and the state
//! saved for the next run with the window slid on.

pub mod follow;
pub mod glob;
pub mod read;

use std::time::Duration;

use npd_plugin::boot::Boot;
use npd_plugin::{explain, Context, Error, Result};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::tally::Tally;
use crate::window::{Clock, Interval, Totals, Window};
use follow::{Progress, Tracked};

/// Bumped when the state's meaning changes: an older state is then a first run.
const STATE_VERSION: u32 = 1;
/// Time kept back from the read for saving the state.
const SAVE_MARGIN: Duration = Duration::from_millis(150);

/// What is kept between runs.
#[derive(Serialize, Deserialize, Default, Debug)]
pub struct LogState {
    pub version: u32,
    /// The --file the offsets belong to: a rule whose state key was kept while its
    /// file changed starts over instead of counting the new file's history.
    #[serde(default)]
    pub file: String,
    pub clock: Clock,
    pub files: Vec<Tracked>,
    pub window: Window,
}

/// What the window holds after this run.
#[derive(Debug)]
pub struct Measured {
    pub totals: Totals,
    /// The last matching line within the window, shortened.
    pub sample: Option<String>,
    /// No file was followed: `--file` names none now.
    pub missing: bool,
}

/// Reads what was appended since the last run and slides the window. Without state
/// there is no "since the last run", hence no rate: an error. A corrupt state is a
/// first run (counting from a guessed offset could count lines twice), saved as such
/// and answered as an error once.
pub fn measure(cfg: &Config, ctx: &Context) -> Result<Measured> {
    let named = glob::expand(ctx.hostfs(), &cfg.file)?;
    let store = ctx.state()?;
    let clock = clock(ctx);
    let (previous, corrupt) = match store.load::<LogState>("log") {
        Ok(Some(st)) if st.version == STATE_VERSION && st.file == cfg.file => (Some(st), None),
        Ok(_) => (None, None),
        Err(e) => (None, Some(e)),
    };
    let elapsed = previous.as_ref().map_or(0, |p| clock.since(&p.clock));
    explain!(
        ctx,
        "{} since the last run{}",
        npd_plugin::units::format_duration(Duration::from_millis(elapsed)),
        if previous.is_none() {
            " (first run: baseline)"
        } else {
            ""
        }
    );

    let deadline = ctx
        .deadline()
        .checked_sub(SAVE_MARGIN)
        .unwrap_or(ctx.deadline());
    let mut tally = Tally::default();
    let mut progress = Progress::default();
    let files = follow::follow(
        cfg,
        ctx,
        &named,
        previous.as_ref().map(|p| p.files.as_slice()),
        deadline,
        &mut tally,
        &mut progress,
    )?;
    let missing = files.is_empty();
    explain!(ctx, "read {} bytes from {} files; {} matching lines, {} excluded, {} long lines, {} without a response time",
        progress.bytes, progress.files, tally.count, tally.excluded, tally.long_lines, tally.no_time);
    if progress.interrupted {
        explain!(
            ctx,
            "stopped at the deadline: the rest is read by the next run"
        );
    }

    let mut st = previous.unwrap_or_default();
    st.version = STATE_VERSION;
    st.file = cfg.file.clone();
    st.clock = clock;
    st.files = files;
    st.window.record(
        elapsed,
        Interval {
            end_ms: 0,
            count: tally.count,
            times: std::mem::take(&mut tally.times),
        },
        cfg.window.as_millis() as u64,
    );
    if let Some(sample) = tally.sample.take() {
        st.window.sample = Some(sample);
    }
    store.save("log", &st)?;
    explain!(ctx, "peak memory {} KiB", peak_rss_kib());

    if let Some(e) = corrupt {
        return Err(Error::unobserved(format!("{e}; started over")));
    }
    Ok(Measured {
        totals: st.window.totals(),
        sample: st.window.sample,
        missing,
    })
}

/// Reads the clocks: the wall clock and the host's boot clock (under the host
/// root). Without a boot clock the wall clock alone measures the time to the next
/// run.
fn clock(ctx: &Context) -> Clock {
    let wall_ms = ctx.wall_clock_ms();
    let (boot_id, boot_ms) = match Boot::read(ctx) {
        Ok(boot) => (boot.id, boot.now_ms),
        Err(e) => {
            explain!(ctx, "no boot clock ({e}): the wall clock measures time");
            (String::new(), 0)
        }
    };
    Clock {
        boot_id,
        boot_ms,
        wall_ms,
    }
}

/// VmHWM of this process, for --explain: the memory a run costs whatever it read.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
