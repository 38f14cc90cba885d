//! Which condition types are drain-worthy, for `lint --drain-conditions`: the ones draino
//! drains on, read from its Deployment manifest (the node conditions among its container
//! args, `Type=True,10m`; a bare `Type` means True) so that the list has one source, or
//! given as a comma list.
//!
//! The manifest is read as text, not as general YAML: the `args:` lists of its
//! containers, block (`- item` lines) or flow (`[a, b]`) style.

use std::path::Path;

/// The drain-worthy condition types, as the command line gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrainWorthy(pub Vec<String>);

/// Parses `--drain-conditions`.
pub fn parse(value: &str) -> Result<DrainWorthy, String> {
    conditions(value).map(DrainWorthy)
}

/// The drain-worthy condition types `value` names: a draino manifest, or a comma list.
pub fn conditions(value: &str) -> Result<Vec<String>, String> {
    let path = Path::new(value);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--drain-conditions {value}: cannot read: {e}"))?;
        let found = from_manifest(&text);
        if found.is_empty() {
            return Err(format!(
                "--drain-conditions {value}: no node condition (Type=True,<duration>) among \
                 the container args"
            ));
        }
        return Ok(found);
    }
    if value.contains('/') || value.ends_with(".yaml") || value.ends_with(".yml") {
        return Err(format!("--drain-conditions {value}: no such file"));
    }
    let list: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        return Err("--drain-conditions: name a draino manifest or condition types".into());
    }
    Ok(list)
}

/// The condition types of draino's `Type[=True[,duration]]` args in a manifest.
pub fn from_manifest(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut args_indent: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        let indent = line.len() - line.trim_start().len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(at) = args_indent {
            match trimmed.strip_prefix("- ") {
                Some(item) if indent >= at => {
                    found.extend(condition(item));
                    continue;
                }
                _ if indent > at => continue,
                _ => args_indent = None,
            }
        }
        let key = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        if let Some(rest) = key.strip_prefix("args:") {
            let rest = rest.trim();
            if let Some(flow) = rest.strip_prefix('[') {
                let flow = flow.split(']').next().unwrap_or("");
                found.extend(flow.split(',').filter_map(condition));
            } else if rest.is_empty() || rest.starts_with('#') {
                args_indent = Some(indent);
            }
        }
    }
    found.dedup();
    found
}

/// The condition type of one arg, if it is a node condition that is True.
fn condition(item: &str) -> Option<String> {
    let item = item.split(" #").next().unwrap_or(item).trim();
    let item = item.trim_matches(|c| c == '"' || c == '\'');
    if item.starts_with('-') || item.is_empty() {
        return None;
    }
    let (type_, status) = match item.split_once('=') {
        Some((t, rest)) => (t, rest.split(',').next().unwrap_or("")),
        None => (item, "True"),
    };
    let named = type_.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && type_.chars().all(|c| c.is_ascii_alphanumeric());
    (named && status == "True").then(|| type_.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_among_block_and_flow_args() {
        let manifest = "\
spec:
  containers:
  - name: draino
    command: [/draino]
    args:
    - --dry-run
    # drain-worthy conditions
    - DiskReadOnly=True,10m
    - 'PIDUsageHigh=True,5m'
    - KernelDeadlock
    - Healthy=False,10m
    ports:
    - name: metrics
  - name: other
    args: [--x, \"FileHandleUsageHigh=True,1m\"]
";
        assert_eq!(
            from_manifest(manifest),
            [
                "DiskReadOnly",
                "PIDUsageHigh",
                "KernelDeadlock",
                "FileHandleUsageHigh"
            ]
        );
    }

    #[test]
    fn a_comma_list_or_a_missing_file() {
        assert_eq!(conditions("A, B").unwrap(), ["A", "B"]);
        assert!(conditions("no/such/deployment.yaml").is_err());
    }
}
