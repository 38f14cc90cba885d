//! The words of an I/O failure as a one-line message needs them: short, lower case,
//! without the "(os error 13)" suffix. Whose fault the failure is, and so the exit
//! code, is for the caller to decide.

/// The OS's reason for an I/O error without the "(os error 13)" suffix, lower case as
/// the rest of a one-line message.
pub fn short_io_reason(err: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let text = match err.kind() {
        NotFound => "not found".to_string(),
        PermissionDenied => "permission denied".to_string(),
        _ => {
            let full = err.to_string();
            match full.find(" (os error") {
                Some(i) => full[..i].to_string(),
                None => full,
            }
        }
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn reasons_are_short_and_lower_case() {
        let e = io::Error::from_raw_os_error(libc::EIO);
        assert_eq!(short_io_reason(&e), "input/output error");
        let e = io::Error::from_raw_os_error(libc::EACCES);
        assert_eq!(short_io_reason(&e), "permission denied");
        assert_eq!(
            short_io_reason(&io::Error::other("Helper died")),
            "helper died"
        );
    }
}
