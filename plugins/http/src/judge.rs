//! The verdict on an answer, as the kubelet judges a probe: status, then body, then
//! latency. No I/O: the answer is [`crate::measure`]'s.

use std::time::Duration;

use npd_plugin::units::format_duration;
use npd_plugin::{explain, Context, Outcome};

use crate::config::Config;
use crate::measure::Answer;

pub fn judge(config: &Config, ctx: &Context, answer: &Answer) -> Outcome {
    let url = &config.url;
    explain!(
        ctx,
        "{} answered {} in {} after {} redirects, {} body bytes{}",
        answer.url,
        answer.status,
        format_duration(round_ms(answer.elapsed)),
        answer.redirects,
        answer.body.len(),
        if answer.body_cut { " (cut)" } else { "" }
    );
    if !config.status_ok(answer.status) {
        return Outcome::problem(format!(
            "{url} status {} not in {}",
            answer.status,
            config.expect_text()
        ));
    }
    if let Some(re) = &config.body_regex {
        let body = String::from_utf8_lossy(&answer.body);
        if !re.is_match(&body) {
            explain!(
                ctx,
                "body: {:?}",
                body.chars().take(200).collect::<String>()
            );
            return Outcome::problem(format!("{url} body does not match {:?}", re.as_str()));
        }
    }
    if let Some(max) = config.max_latency {
        if answer.elapsed > max {
            return Outcome::problem(format!(
                "{url} answered in {} > {}",
                format_duration(round_ms(answer.elapsed)),
                format_duration(max)
            ));
        }
    }
    Outcome::ok(format!("{url} is healthy"))
}

fn round_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis() as u64)
}
