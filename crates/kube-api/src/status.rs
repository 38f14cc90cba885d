//! The `Status` object the apiserver sends with an error (401, 403, 404, 409, 429...):
//! its message and reason, when the body is one.

use serde::Deserialize;

/// The fields of a `Status` that callers word their errors with.
#[derive(Deserialize, Default, Debug)]
pub struct Status {
    #[serde(default)]
    pub message: String,
    /// CamelCase: `Forbidden`, `NotFound`, `Conflict`...
    #[serde(default)]
    pub reason: String,
}

impl Status {
    /// The Status in `body`, or an empty one when the body is not a Status (a proxy's
    /// page, nothing at all).
    pub fn decode(body: &[u8]) -> Status {
        serde_json::from_slice(body).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_body_or_nothing() {
        let s = Status::decode(
            br#"{"kind":"Status","status":"Failure","message":"m","reason":"Conflict","code":409}"#,
        );
        assert_eq!((s.message.as_str(), s.reason.as_str()), ("m", "Conflict"));
        assert!(Status::decode(b"<html>").message.is_empty());
    }
}
