//! Bearer tokens read from files (a service account's token, a token the operator
//! mounted), with one rule for what a token file may hold.

use std::path::Path;

use npd_plugin::{short_io_reason, Error, Result};

/// The token in `path`, trimmed. A file that cannot be read, is empty, or holds more
/// than one token (whitespace or control characters inside; a bearer token has
/// neither) is Unknown: the check could not ask, whatever the endpoint's health.
pub fn read_bearer_token(path: &Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::unobserved(format!(
            "cannot read token {}: {}",
            path.display(),
            short_io_reason(&e)
        ))
    })?;
    let token = text.trim();
    if token.is_empty() || token.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::unobserved(format!(
            "token file {} is empty or not one token",
            path.display()
        )));
    }
    Ok(token.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_token_is_read_and_anything_else_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "abc.def-123\n").unwrap();
        assert_eq!(read_bearer_token(&path).unwrap(), "abc.def-123");
        for bad in ["", "\n", "two tokens", "a\nb", "a\tb"] {
            std::fs::write(&path, bad).unwrap();
            let err = read_bearer_token(&path).unwrap_err();
            assert_eq!(err.kind(), npd_plugin::Kind::Unobserved, "{bad:?}");
            assert!(err.message().contains("not one token"), "{bad:?}");
        }
        let err = read_bearer_token(&dir.path().join("none")).unwrap_err();
        assert!(err.message().starts_with("cannot read token "), "{err}");
    }
}
