//! The NVIDIA driver's XID lines in the kernel log: `NVRM: Xid (PCI:0000:3b:00): 79,
//! pid=1234, name=python, GPU has fallen off the bus.` (older drivers write the GPU
//! without `PCI:`). What follows the number (the process, the driver's words) varies
//! by XID and driver version and is not read.

/// One XID the driver reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xid {
    /// The GPU as the line names it, in sysfs spelling without the function:
    /// `0000:3b:00`.
    pub gpu: String,
    pub xid: u32,
}

/// The XID of a kernel message, if it is an XID line.
pub fn parse_xid(message: &str) -> Option<Xid> {
    let at = message.find("NVRM: Xid (")?;
    let rest = &message[at + "NVRM: Xid (".len()..];
    let (gpu, rest) = rest.split_once("): ")?;
    let gpu = gpu.strip_prefix("PCI:").unwrap_or(gpu);
    let valid = !gpu.is_empty()
        && gpu.len() <= 32
        && gpu
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    if !valid {
        return None;
    }
    let digits: &str = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    Some(Xid {
        gpu: crate::pci::normalize(gpu),
        xid: digits.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xid(gpu: &str, xid: u32) -> Option<Xid> {
        Some(Xid {
            gpu: gpu.into(),
            xid,
        })
    }

    #[test]
    fn xid_lines_of_old_and_new_drivers() {
        assert_eq!(
            parse_xid("NVRM: Xid (PCI:0000:3B:00): 79, pid=1, GPU has fallen off the bus."),
            xid("0000:3b:00", 79)
        );
        assert_eq!(
            parse_xid("NVRM: Xid (0000:01:00): 13, Graphics Exception"),
            xid("0000:01:00", 13)
        );
        assert_eq!(
            parse_xid(
                "NVRM: Xid (PCI:0000:10:1c): 63, pid='<unknown>', name=<unknown>, Row Remapper"
            ),
            xid("0000:10:1c", 63)
        );
    }

    #[test]
    fn other_lines_are_not_xids() {
        for line in [
            "NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.",
            "NVRM: Xid (PCI:0000:3b:00): , pid=1",
            "NVRM: Xid (PCI:0000:3b:00) 79",
            "NVRM: Xid (PCI:zz): 79,",
            "NVRM: Xid (PCI:0000:3b:00): 123456, x",
            "usb 1-1: new device",
        ] {
            assert_eq!(parse_xid(line), None, "{line:?}");
        }
    }
}
