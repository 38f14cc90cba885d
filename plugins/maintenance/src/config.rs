//! The flags of `npd-maintenance` and their validation into a [`Config`]: which cloud's
//! metadata service to ask and where, which kinds of event count, and how far ahead.

use std::time::Duration;

use http_probe::{Scheme, Url};
use npd_plugin::units::{format_duration, parse_duration};
use npd_plugin::{Configure, Error, Result, Selectable, Selection};

/// The `--cloud` value.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloudArg {
    Aws,
    Gcp,
    Azure,
    /// From the host's DMI tables (under --host-root), never from the network.
    Detect,
}

/// A cloud whose metadata service this plugin speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
}

impl Cloud {
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
        }
    }

    /// The documented address of the metadata service. GCP's is also
    /// metadata.google.internal; the address needs no DNS, which a node's resolver
    /// (or the cluster's, under hostNetwork) may not answer for.
    pub fn default_url(self) -> &'static str {
        "http://169.254.169.254"
    }

    /// The kinds of event this cloud's metadata service can report.
    pub fn kinds(self) -> &'static [EventKind] {
        use EventKind::*;
        match self {
            Cloud::Aws => &[Preempt, Stop, Retirement, Reboot, Maintenance, Rebalance],
            Cloud::Gcp => &[Preempt, Terminate, Migrate],
            Cloud::Azure => &[Preempt, Terminate, Reboot, Redeploy, Freeze],
        }
    }
}

/// What a cloud says will happen to the node, across clouds (see the help's notes for
/// the mapping).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A spot or preemptible VM reclaimed: AWS spot instance-action, GCP preempted,
    /// Azure Preempt.
    Preempt,
    /// The VM deleted or shut down: GCP TERMINATE_ON_HOST_MAINTENANCE, Azure Terminate.
    Terminate,
    /// AWS instance-stop.
    Stop,
    /// AWS instance-retirement: stopped or terminated for failing hardware.
    Retirement,
    /// AWS system-reboot and instance-reboot, Azure Reboot.
    Reboot,
    /// Azure Redeploy: moved to another host (a restart; the temporary disk is lost).
    Redeploy,
    /// AWS system-maintenance: a brief power or network outage.
    Maintenance,
    /// AWS rebalance recommendation: a spot instance at raised risk of interruption.
    Rebalance,
    /// Azure Freeze: the VM paused for a few seconds.
    Freeze,
    /// GCP MIGRATE_ON_HOST_MAINTENANCE: a live migration.
    Migrate,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        use EventKind::*;
        match self {
            Preempt => "preempt",
            Terminate => "terminate",
            Stop => "stop",
            Retirement => "retirement",
            Reboot => "reboot",
            Redeploy => "redeploy",
            Maintenance => "maintenance",
            Rebalance => "rebalance",
            Freeze => "freeze",
            Migrate => "migrate",
        }
    }
}

impl Selectable for EventKind {
    const FLAG: &'static str = "events";
    const VALUE_NAME: &'static str = "KIND";
    const HELP: &'static str = "Kinds of event that count";
    /// The kinds that take the node's workloads down (the help's notes argue each).
    const DEFAULT: &'static [EventKind] = &[
        EventKind::Preempt,
        EventKind::Terminate,
        EventKind::Stop,
        EventKind::Retirement,
        EventKind::Reboot,
        EventKind::Redeploy,
    ];
}

/// The Azure Scheduled Events API version asked for.
pub const AZURE_EVENTS_API: &str = "2020-07-01";
/// The Azure instance metadata API version asked for the VM's name.
pub const AZURE_INSTANCE_API: &str = "2021-02-01";

/// The flags of `npd-maintenance`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The cloud whose metadata service to ask: aws, gcp, azure, or detect (from the
    /// host's DMI tables).
    #[arg(long, value_enum, value_name = "CLOUD", default_value = "detect")]
    pub cloud: CloudArg,

    /// The metadata service's address instead of the cloud's own
    /// (http://169.254.169.254); paths are appended to it. With it, the DMI tables are
    /// not consulted before asking.
    #[arg(long, value_name = "URL")]
    pub metadata_url: Option<String>,

    #[command(flatten)]
    pub events: Selection<EventKind>,

    /// Count only events due to start within this time (e.g. 24h); an event already
    /// started, or without a start time, always counts [default: any time].
    #[arg(long, value_name = "DURATION")]
    pub within: Option<String>,

    /// Azure: this VM's name as Scheduled Events lists it [default: the instance
    /// metadata's compute/name].
    #[arg(long, value_name = "NAME")]
    pub vm_name: Option<String>,
}

/// The validated flags.
#[derive(Debug, PartialEq)]
pub struct Config {
    /// `None`: detect when checking.
    pub cloud: Option<Cloud>,
    /// The metadata service's base URL, without a trailing slash; `None`: the
    /// cloud's own, once the DMI tables confirm the cloud.
    pub metadata_url: Option<String>,
    /// In the order given, without repeats.
    pub events: Vec<EventKind>,
    pub within: Option<Duration>,
    pub vm_name: Option<String>,
}

impl Config {
    pub fn counts(&self, kind: EventKind) -> bool {
        self.events.contains(&kind)
    }

    /// The answer when nothing counted: a stable string, from the flags alone.
    pub fn ok_message(&self) -> String {
        let what = if self.events == [EventKind::Preempt] {
            "no preemption notice"
        } else {
            "no disruptive event"
        };
        match self.within {
            Some(w) => format!("{what} within {}", format_duration(w)),
            None if what == "no disruptive event" => format!("{what} scheduled"),
            None => what.to_string(),
        }
    }
}

impl Configure for Config {
    type Args = Args;

    /// Validates the flags.
    fn configure(args: Args) -> Result<Config> {
        let cloud = match args.cloud {
            CloudArg::Aws => Some(Cloud::Aws),
            CloudArg::Gcp => Some(Cloud::Gcp),
            CloudArg::Azure => Some(Cloud::Azure),
            CloudArg::Detect => None,
        };
        let given = !args.events.given().is_empty();
        let events = args.events.selected();
        // A kind the named cloud never reports would make the rule check less than it says.
        if let (Some(cloud), true) = (cloud, given) {
            if let Some(k) = events.iter().find(|k| !cloud.kinds().contains(k)) {
                return Err(Error::config(format!(
                    "--events {}: {} reports no such event",
                    k.name(),
                    cloud.name()
                )));
            }
        }
        let metadata_url = args.metadata_url.map(|u| base_url(&u)).transpose()?;
        let within = args
            .within
            .map(|w| parse_duration(&w).map_err(|e| e.context("--within")))
            .transpose()?;
        if within == Some(Duration::ZERO) {
            return Err(Error::config("--within must be more than 0"));
        }
        if args.vm_name.is_some() && matches!(cloud, Some(Cloud::Aws | Cloud::Gcp)) {
            return Err(Error::config("--vm-name is for --cloud azure"));
        }
        if args.vm_name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::config("--vm-name is empty"));
        }
        Ok(Config {
            cloud,
            metadata_url,
            events,
            within,
            vm_name: args.vm_name,
        })
    }
}

/// An http:// URL with no query, without its trailing slashes: paths are appended.
fn base_url(text: &str) -> Result<String> {
    let url = Url::parse(text).map_err(|e| Error::config(format!("--metadata-url: {e}")))?;
    if url.scheme != Scheme::Http {
        return Err(Error::config(
            "--metadata-url: metadata services speak http:// only",
        ));
    }
    if url.target.contains('?') {
        return Err(Error::config(
            "--metadata-url: no query, paths are appended",
        ));
    }
    Ok(text.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cloud: CloudArg) -> Args {
        Args {
            cloud,
            metadata_url: None,
            events: Selection::default(),
            within: None,
            vm_name: None,
        }
    }

    #[test]
    fn defaults_count_the_kinds_that_take_the_node_down() {
        let c = Config::configure(args(CloudArg::Gcp)).unwrap();
        assert_eq!(c.events, EventKind::DEFAULT);
        assert_eq!(c.cloud, Some(Cloud::Gcp));
        assert_eq!(c.ok_message(), "no disruptive event scheduled");
    }

    #[test]
    fn a_kind_the_cloud_never_reports_is_refused() {
        let mut a = args(CloudArg::Gcp);
        a.events = vec![EventKind::Freeze].into();
        let err = Config::configure(a).unwrap_err();
        assert_eq!(err.message(), "--events freeze: gcp reports no such event");
        let mut a = args(CloudArg::Detect);
        a.events = vec![EventKind::Freeze, EventKind::Freeze].into();
        assert_eq!(Config::configure(a).unwrap().events, [EventKind::Freeze]);
    }

    #[test]
    fn the_url_is_a_plain_http_base() {
        let mut a = args(CloudArg::Aws);
        a.metadata_url = Some("http://127.0.0.1:8080/".into());
        let c = Config::configure(a).unwrap();
        assert_eq!(c.metadata_url.as_deref(), Some("http://127.0.0.1:8080"));
        for bad in ["https://x", "ftp://x", "http://x/?a=b", "x"] {
            let mut a = args(CloudArg::Aws);
            a.metadata_url = Some(bad.into());
            assert!(Config::configure(a).is_err(), "{bad}");
        }
    }

    #[test]
    fn ok_messages_follow_the_flags() {
        let mut a = args(CloudArg::Aws);
        a.events = vec![EventKind::Preempt].into();
        a.within = Some("2h".into());
        assert_eq!(
            Config::configure(a).unwrap().ok_message(),
            "no preemption notice within 2h"
        );
        let mut a = args(CloudArg::Aws);
        a.vm_name = Some("vm".into());
        assert!(Config::configure(a).is_err());
    }
}
