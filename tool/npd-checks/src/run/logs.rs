//! System log monitors in `run`: their default conditions are published at NPD's start;
//! with `--log-lines`, every line goes through each monitor's log watcher and rules
//! as NPD would apply it.

use std::fmt::Write as _;
use std::time::SystemTime;

use crate::golang;
use crate::npd_state::{Event, Metrics, NodeConditions};
use crate::syslog::lines::{Delivered, Watcher};
use crate::syslog::monitor::LogMonitor;
use crate::syslog::LogConfig;

fn origin(c: &LogConfig) -> String {
    match c.plugin.as_str() {
        "kmsg" => "the kernel log (/dev/kmsg)".to_string(),
        "journald" => format!("the journal (SYSLOG_IDENTIFIER {:?})", c.setting("source")),
        _ => format!("{:?}", c.log_path),
    }
}

/// Applies `lines` (from `from`) to every monitor; says where events come from when
/// there are none.
pub fn feed(
    monitors: &mut [LogMonitor],
    lines: Option<&[String]>,
    from: Option<&str>,
    metrics: &mut Metrics,
    node: &mut NodeConditions,
    events: &mut Vec<Event>,
) -> Result<String, String> {
    let mut text = String::from("Log lines:\n");
    for m in monitors {
        let c = m.config;
        let Some(lines) = lines else {
            let _ = writeln!(
                text,
                "  {}: a {} monitor: its conditions are published at NPD's start (below); \
                 its events and condition changes come from {} (try lines with --log-lines \
                 FILE)",
                c.file,
                c.plugin,
                origin(c)
            );
            continue;
        };
        let watcher = Watcher::new(c);
        let mut matched = 0;
        for (n, line) in lines.iter().enumerate() {
            let message = match watcher.deliver(line)? {
                Delivered::Message(message) => message,
                Delivered::Dropped(why) => {
                    if c.plugin == "filelog" {
                        let _ = writeln!(
                            text,
                            "  {} line {}: dropped by the filelog watcher ({why})",
                            c.file,
                            n + 1
                        );
                    }
                    continue;
                }
            };
            for hit in m.push(&message, metrics, SystemTime::now())? {
                matched += 1;
                let _ = writeln!(
                    text,
                    "  {} line {}: {} matched {}",
                    c.file,
                    n + 1,
                    hit.rule.label(),
                    golang::quote(hit.lines.join("\n").as_bytes())
                );
                events.extend(hit.events);
            }
            node.update(&c.source, &m.conditions);
        }
        if matched == 0 {
            let _ = writeln!(
                text,
                "  {}: no rule matched any of the {} lines of {}",
                c.file,
                lines.len(),
                from.unwrap_or("-")
            );
        }
    }
    Ok(text)
}
