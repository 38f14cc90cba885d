//! Which cloud the host runs on, from its DMI tables (`/sys/class/dmi/id/*`, readable
//! by any user), never from the network: a metadata address is asked only on a host
//! whose firmware names that cloud.
//!
//! What each cloud's firmware writes:
//! - AWS: "Amazon EC2" as sys_vendor and board_vendor on Nitro instances; Xen
//!   instances say "Xen" / "HVM domU" and carry "amazon" in bios_version
//!   ("4.11.amazon");
//! - GCP: sys_vendor "Google", product_name "Google Compute Engine";
//! - Azure: chassis_asset_tag "7783-7084-3265-9085-8269-3286-77". sys_vendor
//!   "Microsoft Corporation" and product_name "Virtual Machine" are Hyper-V's, on
//!   premises as much as on Azure, so they are not enough.

use crate::config::Cloud;

/// The DMI files read, under `/sys/class/dmi/id/`.
pub const FILES: [&str; 6] = [
    "sys_vendor",
    "board_vendor",
    "product_name",
    "bios_vendor",
    "bios_version",
    "chassis_asset_tag",
];

pub const AZURE_ASSET_TAG: &str = "7783-7084-3265-9085-8269-3286-77";

/// The cloud the DMI values name; `value(file)` is the trimmed content of one of
/// [`FILES`], empty when missing.
pub fn cloud(value: impl Fn(&str) -> String) -> Option<Cloud> {
    let aws = ["sys_vendor", "board_vendor", "bios_vendor"]
        .iter()
        .any(|f| value(f) == "Amazon EC2")
        || value("bios_version")
            .to_ascii_lowercase()
            .contains("amazon");
    if aws {
        return Some(Cloud::Aws);
    }
    if value("sys_vendor") == "Google" || value("product_name") == "Google Compute Engine" {
        return Some(Cloud::Gcp);
    }
    if value("chassis_asset_tag") == AZURE_ASSET_TAG {
        return Some(Cloud::Azure);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dmi(pairs: &[(&str, &str)]) -> Option<Cloud> {
        cloud(|f| {
            pairs
                .iter()
                .find(|(k, _)| *k == f)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        })
    }

    #[test]
    fn each_clouds_firmware() {
        assert_eq!(dmi(&[("sys_vendor", "Amazon EC2")]), Some(Cloud::Aws));
        assert_eq!(
            dmi(&[("sys_vendor", "Xen"), ("bios_version", "4.11.amazon")]),
            Some(Cloud::Aws)
        );
        assert_eq!(
            dmi(&[
                ("sys_vendor", "Google"),
                ("product_name", "Google Compute Engine")
            ]),
            Some(Cloud::Gcp)
        );
        assert_eq!(
            dmi(&[
                ("sys_vendor", "Microsoft Corporation"),
                ("chassis_asset_tag", AZURE_ASSET_TAG)
            ]),
            Some(Cloud::Azure)
        );
    }

    #[test]
    fn hyper_v_and_others_are_no_cloud() {
        assert_eq!(
            dmi(&[
                ("sys_vendor", "Microsoft Corporation"),
                ("product_name", "Virtual Machine"),
                ("chassis_asset_tag", "None")
            ]),
            None
        );
        assert_eq!(dmi(&[("sys_vendor", "QEMU")]), None);
        assert_eq!(dmi(&[]), None);
    }
}
