//! Log lines given to `npd-checks run --log-lines`, turned into the messages each of
//! NPD's log watchers would hand its monitor: kmsg trims a kernel message and drops an
//! empty one; journald trims the MESSAGE field; filelog drops lines containing a
//! `skipList` entry, needs the `timestamp` expression to match (the time itself and
//! the lookback are not applied here) and takes the last group the `message`
//! expression captures.

use super::config::LogConfig;
use crate::goregex::Regex;

/// What became of one input line.
pub enum Delivered {
    Message(String),
    /// Dropped by the watcher, and why.
    Dropped(String),
}

/// Reads `--log-lines`: a file, or standard input for `-`.
pub fn read(path: &str) -> Result<Vec<String>, String> {
    let text = if path == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("--log-lines -: cannot read standard input: {e}"))?;
        s
    } else {
        let bytes =
            std::fs::read(path).map_err(|e| format!("--log-lines {path}: cannot read: {e}"))?;
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Ok(text.lines().map(str::to_string).collect())
}

/// How one watcher turns lines into messages.
pub struct Watcher {
    plugin: String,
    skip_list: Vec<String>,
    timestamp: Option<Regex>,
    message: Option<Regex>,
}

impl Watcher {
    pub fn new(config: &LogConfig) -> Watcher {
        let compile = |key: &str| Regex::new(config.setting(key)).ok();
        Watcher {
            plugin: config.plugin.clone(),
            skip_list: config.skip_list.clone(),
            timestamp: compile("timestamp"),
            message: compile("message"),
        }
    }

    /// What the watcher makes of `line`.
    pub fn deliver(&self, line: &str) -> Result<Delivered, String> {
        match self.plugin.as_str() {
            "kmsg" if line.trim().is_empty() => {
                Ok(Delivered::Dropped("empty kernel message".into()))
            }
            "filelog" => self.translate(line),
            _ => Ok(Delivered::Message(line.trim().to_string())),
        }
    }

    fn translate(&self, line: &str) -> Result<Delivered, String> {
        if let Some(skip) = self.skip_list.iter().find(|s| line.contains(s.as_str())) {
            return Ok(Delivered::Dropped(format!("skipList entry {skip:?}")));
        }
        let last = |re: &Option<Regex>| -> Result<Option<String>, String> {
            let Some(re) = re else { return Ok(None) };
            let caps = re.captures(line)?;
            Ok(caps.map(|caps| {
                caps.last()
                    .copied()
                    .flatten()
                    .map_or(String::new(), |(a, b)| line[a..b].to_string())
            }))
        };
        if last(&self.timestamp)?.is_none() {
            return Ok(Delivered::Dropped("no timestamp".into()));
        }
        match last(&self.message)? {
            Some(message) => Ok(Delivered::Message(message)),
            None => Ok(Delivered::Dropped("no message".into())),
        }
    }
}
