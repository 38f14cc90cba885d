//! The flags of `npd-gpu` and their validation into a [`Config`]: which aspects of the
//! node's NVIDIA GPUs are judged, how many GPUs the node should have, which XIDs are
//! critical and where dcgm-exporter answers.

use http_probe::{Scheme, Url};
use npd_plugin::{flag_needs, Configure, Error, Result, Selectable, Selection};

/// One aspect of GPU health this plugin can judge.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aspect {
    /// NVIDIA GPUs on the PCI bus against those the driver sees and --expected-gpus.
    Count,
    /// Critical XIDs in the kernel log this boot (a condition: stays until reboot).
    Xid,
    /// Other XIDs new since the last run (for a temporary rule: one event a run).
    XidOther,
    /// dcgm-exporter's metrics: critical last XID, DBE ECC errors, row remap failure.
    Dcgm,
}

impl Selectable for Aspect {
    const DEFAULT: &'static [Aspect] = &[Aspect::Count];
}

/// XIDs after which the GPU needs a reset, the node a reboot, or the GPU replacing,
/// in the sense of NVIDIA's XID catalog (docs.nvidia.com/deploy/xid-errors,
/// "Resolution Bucket": RESET_GPU, RESTART_BM, or hardware service) and of the EKS
/// node monitoring agent's list of XIDs that set its condition (its other XIDs are
/// warnings). Left out on purpose: 13, 31, 43 and 45 (the application's fault), 92
/// (a high rate of corrected single-bit errors: nothing is lost yet) and 94 (a
/// contained ECC error: only the application that used the page is hit; NVIDIA's
/// action is to restart it).
///
/// 46 GPU stopped processing; 48 double-bit ECC error; 54 auxiliary power not
/// connected; 62 internal micro-controller halt; 63 row remapping (or page
/// retirement) recorded, a reset applies it; 64 row remapping failed; 74 NVLink
/// error; 79 fallen off the bus; 95 uncontained ECC error; 109 context switch
/// timeout; 110 security fault; 119 and 120 GSP RPC timeout and GSP error; 136
/// link training failed; 140 unrecovered ECC error; 142, 143 and 151 to 158 the
/// newer GPUs' uncorrectable errors on the EKS list.
pub const DEFAULT_CRITICAL_XIDS: [u32; 21] = [
    46, 48, 54, 62, 63, 64, 74, 79, 95, 109, 110, 119, 120, 136, 140, 142, 143, 151, 155, 156, 158,
];

/// Where dcgm-exporter serves its metrics when it runs with the host's network.
pub const DEFAULT_DCGM_URL: &str = "http://127.0.0.1:9400/metrics";

/// The flags of `npd-gpu`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub checks: Selection<Aspect>,

    /// The NVIDIA GPUs this node must show on its PCI bus; fewer is a problem (needs
    /// --check count).
    #[arg(long, value_name = "N")]
    pub expected_gpus: Option<u32>,

    /// The XIDs that are critical instead of the built-in list, comma-separated
    /// (needs --check xid, xid-other or dcgm).
    #[arg(long, value_name = "XIDS")]
    pub critical_xids: Option<String>,

    /// dcgm-exporter's metrics page, plain http:// (needs --check dcgm)
    /// [default: http://127.0.0.1:9400/metrics].
    #[arg(long, value_name = "URL")]
    pub dcgm_url: Option<String>,
}

/// The validated flags.
#[derive(Debug)]
pub struct Config {
    /// In the order given, without repeats.
    pub checks: Vec<Aspect>,
    pub expected_gpus: Option<u32>,
    /// Sorted, without repeats.
    pub critical_xids: Vec<u32>,
    pub dcgm_url: Url,
}

impl Config {
    pub fn wants(&self, aspect: Aspect) -> bool {
        self.checks.contains(&aspect)
    }

    pub fn is_critical(&self, xid: u32) -> bool {
        self.critical_xids.binary_search(&xid).is_ok()
    }
}

impl Configure for Config {
    type Args = Args;

    /// Validates the flags. A flag for an aspect that is not judged is an error: the rule
    /// would otherwise not check what it says.
    fn configure(args: Args) -> Result<Config> {
        let checks = args.checks.selected();
        let gpus = args.expected_gpus.is_some();
        flag_needs("--expected-gpus", gpus, &checks, &[Aspect::Count])?;
        let xids = args.critical_xids.is_some();
        let judging_xids = [Aspect::Xid, Aspect::XidOther, Aspect::Dcgm];
        flag_needs("--critical-xids", xids, &checks, &judging_xids)?;
        let url = args.dcgm_url.is_some();
        flag_needs("--dcgm-url", url, &checks, &[Aspect::Dcgm])?;
        if args.expected_gpus == Some(0) {
            return Err(Error::config("--expected-gpus must be at least 1"));
        }
        let critical_xids = match &args.critical_xids {
            None => DEFAULT_CRITICAL_XIDS.to_vec(),
            Some(text) => parse_xids(text)?,
        };
        let text = args.dcgm_url.as_deref().unwrap_or(DEFAULT_DCGM_URL);
        let dcgm_url = Url::parse(text).map_err(|e| Error::config(format!("--dcgm-url: {e}")))?;
        if dcgm_url.scheme != Scheme::Http {
            return Err(Error::config(
                "--dcgm-url: only http:// (dcgm-exporter on the node serves plain HTTP)",
            ));
        }
        Ok(Config {
            checks,
            expected_gpus: args.expected_gpus,
            critical_xids,
            dcgm_url,
        })
    }
}

/// `79,48,94`: XID numbers (1 to 999), at least one.
pub fn parse_xids(text: &str) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        match part.parse::<u32>() {
            Ok(x) if (1..=999).contains(&x) && part.bytes().all(|b| b.is_ascii_digit()) => {
                out.push(x)
            }
            _ => {
                return Err(Error::config(format!(
                    "--critical-xids: {part:?} is not an XID (1 to 999)"
                )))
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            checks: Selection::default(),
            expected_gpus: None,
            critical_xids: None,
            dcgm_url: None,
        }
    }

    #[test]
    fn defaults_count_gpus_with_the_built_in_xids() {
        let c = Config::configure(args()).unwrap();
        assert_eq!(c.checks, [Aspect::Count]);
        assert!(c.is_critical(79) && c.is_critical(48) && !c.is_critical(13));
        assert!(!c.is_critical(94) && !c.is_critical(92));
        assert_eq!(c.dcgm_url.to_string(), DEFAULT_DCGM_URL);
        let mut sorted = DEFAULT_CRITICAL_XIDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, DEFAULT_CRITICAL_XIDS);
    }

    #[test]
    fn flags_for_aspects_not_judged_are_errors() {
        let mut a = args();
        a.dcgm_url = Some("http://127.0.0.1:1/m".into());
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--dcgm-url needs --check dcgm"
        );
        let mut a = args();
        a.critical_xids = Some("79".into());
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--critical-xids needs --check xid, xid-other or dcgm"
        );
        let mut a = args();
        a.checks = vec![Aspect::Xid].into();
        a.expected_gpus = Some(4);
        assert_eq!(
            Config::configure(a).unwrap_err().message(),
            "--expected-gpus needs --check count"
        );
    }

    #[test]
    fn xid_lists() {
        assert_eq!(parse_xids("79, 48,79").unwrap(), [48, 79]);
        for bad in ["", "x", "0", "1000", "79,", "-1", "+5"] {
            assert!(parse_xids(bad).is_err(), "{bad:?}");
        }
    }
}
