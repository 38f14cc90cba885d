//! `npd-maintenance`: the cloud's notice that it will stop, reboot or reclaim this
//! node, read from the instance metadata service of AWS, GCP or Azure, so that the
//! node is drained while there is time.
//!
//! [`config`] holds the flags, [`detect`] names the cloud from the DMI tables,
//! [`measure`] asks the metadata service (one module per cloud), [`stamp`] is the
//! form messages give its times in, [`judge`] decides. The metadata service is only
//! the way to ask: whatever fails there is Unknown, never a problem.

pub mod config;
pub mod detect;
pub mod event;
pub mod judge;
pub mod measure;
pub mod stamp;

use npd_plugin::{Context, Outcome, Plugin, Result};

pub use config::{Args, Config};

/// The plugin.
pub struct Maintenance;

impl Plugin for Maintenance {
    type Config = Config;

    fn check(config: &Config, ctx: &Context) -> Result<Outcome> {
        let measured = measure::measure(config, ctx)?;
        judge::judge(config, measured, ctx)
    }

    const NAME: &'static str = "npd-maintenance";
    const ABOUT: &'static str = "Reports the cloud's notice that it will stop, reboot or reclaim \
                                 this node (spot interruption, preemption, scheduled \
                                 maintenance), from the AWS, GCP or Azure instance metadata \
                                 service.";
    const EXAMPLE_RULE: &'static str = r#"{"type": "permanent", "condition": "SpotInterruption",
 "reason": "SpotInterruptionNotice", "path": "/opt/npd-checks/bin/npd-maintenance",
 "args": ["--cloud", "aws", "--events", "preempt", "--timeout", "4s"],
 "timeout": "5s"}"#;
    const NOTES: &'static str = "\
What is asked (http://169.254.169.254, or --metadata-url with the same paths):
  aws: an IMDSv2 token (PUT /latest/api/token), then with it
    /latest/meta-data/spot/instance-action (preempt),
    /latest/meta-data/events/maintenance/scheduled (reboot, stop, retirement,
    maintenance) and /latest/meta-data/events/recommendations/rebalance (rebalance).
  gcp: /computeMetadata/v1/instance/preempted (preempt) and .../maintenance-event
    (terminate, migrate), with Metadata-Flavor: Google; answers must carry it.
  azure: /metadata/scheduledevents?api-version=2020-07-01 with Metadata: true; only
    events whose Resources name this VM (--vm-name, else the instance metadata's
    compute/name) count. Events are never approved.
  Only the endpoints the counted kinds need are asked.
Event kinds and the defaults (preempt,terminate,stop,retirement,reboot,redeploy):
  preempt     AWS spot instance-action (2 minutes ahead), GCP preempted (about 30
              seconds), Azure Preempt (at least 30 seconds): drain at once.
  terminate   GCP TERMINATE_ON_HOST_MAINTENANCE, Azure Terminate: the VM goes away.
  stop, retirement, reboot   AWS instance-stop, instance-retirement, system-reboot,
              instance-reboot (days ahead), Azure Reboot (minutes ahead): workloads
              go down with the node.
  redeploy    Azure Redeploy: moved to another host, restarted.
  Not counted unless asked for: maintenance (AWS system-maintenance: a brief power
  or network outage), rebalance (AWS: a raised risk, not an interruption), freeze
  (Azure Freeze: a pause of seconds), migrate (GCP live migration: not disruptive).
  --within 24h counts a scheduled event only from 24h before its start; events
  under way or without a time always count.
Which cloud, and when nothing is asked:
  --cloud detect names it from <host-root>/sys/class/dmi/id (sys_vendor or
  board_vendor \"Amazon EC2\", or \"amazon\" in bios_version; sys_vendor \"Google\";
  Azure's chassis_asset_tag 7783-7084-3265-9085-8269-3286-77, since \"Microsoft
  Corporation\" is any Hyper-V VM). Without --metadata-url the cloud's address is
  asked only where DMI names that cloud; elsewhere the answer is Unknown and
  nothing is sent. --metadata-url is asked as given.
Unknown, never a problem:
  the metadata service refusing, silent by --timeout, answering another status or
  garbage; an IMDSv2 token that cannot be had (no IMDSv1 fallback: a node that
  allows only IMDSv2 refuses v1, and a hop limit of 1 drops the token's answer
  outside the host's network namespace: the DaemonSet runs with hostNetwork);
  Azure's first request, which enables Scheduled Events and may take up to two
  minutes. A notice read stands even when another endpoint failed.";
}
