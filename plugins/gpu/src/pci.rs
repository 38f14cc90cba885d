//! PCI identities: the vendor and class files of sysfs, and the three spellings of one
//! GPU's address (sysfs `0000:3b:00.0`, the kernel log's `PCI:0000:3b:00`, DCGM's
//! `00000000:3B:00.0`) brought to sysfs's.

/// NVIDIA's PCI vendor id.
pub const NVIDIA: u32 = 0x10de;

/// A sysfs `vendor`, `device` or `class` file: `0x10de\n`.
pub fn parse_hex_id(text: &str) -> Option<u32> {
    let hex = text.trim().strip_prefix("0x")?;
    if hex.is_empty() || hex.len() > 8 {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// A GPU by its PCI class: base class 0x03 (display), sub-class 0x00 (VGA
/// compatible) or 0x02 (3D controller, the data-centre GPUs). NVSwitches (bridges)
/// and the GPUs' audio functions are not GPUs.
pub fn is_gpu_class(class: u32) -> bool {
    matches!(class >> 8, 0x0300 | 0x0302)
}

/// An address as sysfs writes it: lower case, a 4-digit domain (DCGM writes 8).
pub fn normalize(addr: &str) -> String {
    let addr = addr.trim().to_ascii_lowercase();
    match addr.split_once(':') {
        Some((domain, rest)) if domain.len() > 4 && domain.starts_with("0000") => {
            format!("{}:{rest}", &domain[domain.len() - 4..])
        }
        _ => addr,
    }
}

/// The device part of an address, without the function, as the kernel log's XID
/// lines name a GPU: `0000:3b:00.0` gives `0000:3b:00`.
pub fn without_function(addr: &str) -> &str {
    match addr.rsplit_once('.') {
        Some((device, function)) if function.len() == 1 => device,
        _ => addr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_classes() {
        assert_eq!(parse_hex_id("0x10de\n"), Some(NVIDIA));
        assert_eq!(parse_hex_id("0x030200\n"), Some(0x030200));
        for bad in ["", "10de", "0x", "0xzz", "0x123456789", "nvidia"] {
            assert!(parse_hex_id(bad).is_none(), "{bad:?}");
        }
        assert!(is_gpu_class(0x030000) && is_gpu_class(0x030200));
        assert!(!is_gpu_class(0x068000) && !is_gpu_class(0x040300) && !is_gpu_class(0x030100));
    }

    #[test]
    fn addresses_in_sysfs_spelling() {
        assert_eq!(normalize("00000000:3B:00.0"), "0000:3b:00.0");
        assert_eq!(normalize("0000:3b:00.0"), "0000:3b:00.0");
        assert_eq!(normalize("0001:3B:00.0"), "0001:3b:00.0");
        assert_eq!(without_function("0000:3b:00.0"), "0000:3b:00");
        assert_eq!(without_function("0000:3b:00"), "0000:3b:00");
    }
}
