//! The Prometheus text exposition format, as much of it as dcgm-exporter writes:
//! `# HELP` and `# TYPE` comments, and samples `name{label="value",...} value
//! [timestamp]`. A page that is not that (an HTML error page, JSON) is an error naming
//! the first line that is not.

/// One sample of a metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every sample of the page, or the number of the first line that is not Prometheus
/// text.
pub fn parse(text: &str) -> Result<Vec<Sample>, usize> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(parse_sample(line).ok_or(i + 1)?);
    }
    Ok(out)
}

fn is_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

fn parse_sample(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' ', '\t']).unwrap_or(line.len());
    let name = &line[..name_end];
    if !is_name(name) {
        return None;
    }
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let (parsed, tail) = parse_labels(after)?;
        labels = parsed;
        rest = tail;
    }
    let mut fields = rest.split_whitespace();
    let value = parse_value(fields.next()?)?;
    if let Some(ts) = fields.next() {
        ts.parse::<i64>().ok()?;
    }
    if fields.next().is_some() {
        return None;
    }
    Some(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

fn parse_value(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

/// `a="x",b="y\"z"}` and what follows the brace.
fn parse_labels(mut text: &str) -> Option<(Vec<(String, String)>, &str)> {
    let mut labels = Vec::new();
    loop {
        text = text.trim_start();
        if let Some(tail) = text.strip_prefix('}') {
            return Some((labels, tail));
        }
        let (name, rest) = text.split_once('=')?;
        let name = name.trim();
        if !is_name(name) {
            return None;
        }
        let mut chars = rest.strip_prefix('"')?.char_indices();
        let mut value = String::new();
        let end = loop {
            match chars.next()? {
                (i, '"') => break i,
                (_, '\\') => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    c => value.push(c),
                },
                (_, c) => value.push(c),
            }
        };
        labels.push((name.to_string(), value));
        text = rest[1 + end + 1..].trim_start();
        text = text.strip_prefix(',').unwrap_or(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dcgm_exporter_lines() {
        let page = "# HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.\n\
                    # TYPE DCGM_FI_DEV_XID_ERRORS gauge\n\
                    DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",UUID=\"GPU-1\",pci_bus_id=\"00000000:3B:00.0\",modelName=\"NVIDIA A100, \\\"SXM4\\\"\"} 79\n\
                    up 1 1700000000000\n";
        let samples = parse(page).unwrap();
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].value, 79.0);
        assert_eq!(samples[0].label("pci_bus_id"), Some("00000000:3B:00.0"));
        assert_eq!(samples[0].label("modelName"), Some("NVIDIA A100, \"SXM4\""));
        assert_eq!(samples[1].name, "up");
    }

    #[test]
    fn what_is_not_prometheus_text() {
        for (page, line) in [
            ("<html><body>503</body></html>", 1),
            ("{\"metrics\": []}", 1),
            ("ok 1\nDCGM_FI_DEV_XID_ERRORS{gpu=\"0\" 79\n", 2),
            ("m{a=b} 1", 1),
            ("m one", 1),
            ("m 1 2 3", 1),
        ] {
            assert_eq!(parse(page), Err(line), "{page:?}");
        }
        assert_eq!(parse("").unwrap(), []);
    }
}
