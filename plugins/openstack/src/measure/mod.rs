//! One run's reads and requests: find the cloud and this host's name, get a token
//! (cached or new), ask the service for this host's rows and, only when one of them
//! looks down, its binary cloud-wide for the shared-outage guard. `namespaces` asks
//! nothing: it reads the host ([`crate::netns`]).

mod api;
pub mod cloud;
pub mod keystone;
mod resources;
pub mod transport;

use npd_plugin::{explain, Context, Error, Result};

use crate::config::{Config, Subject};
use crate::guard::{self, Tally};
use crate::netns;
use crate::services::{self, query_escape, Row};
use api::Api;
use cloud::{Cloud, SecretFiles};
use transport::Transport;

pub use resources::HypervisorSeen;

/// What a run saw: this host's service as the control plane reports it, or the
/// agents' namespaces and processes on the host.
pub enum Measured {
    Services(Services),
    Namespaces(netns::Seen),
    Hypervisor(HypervisorSeen),
    Volumes(crate::volumes::Seen),
}

/// What a run saw of this host's service.
pub struct Services {
    /// The service judged, for messages ("nova-compute", "neutron agent").
    pub what: &'static str,
    /// This host's name as the services know it.
    pub host: String,
    /// This host's rows (filtered by --agent-type for `network`).
    pub rows: Vec<Row>,
    /// The agent types asked for that this host has no row of.
    pub absent: Vec<String>,
    /// Disabled (or administratively down) rows are OK.
    pub allow_disabled: bool,
    /// The OK line.
    pub ok: &'static str,
    /// Each binary whose fleet the verdict needs, counted cloud-wide.
    pub fleets: Vec<(String, Tally)>,
}

pub fn measure(config: &Config, ctx: &Context) -> Result<Measured> {
    if let Subject::Namespaces(want) = &config.subject {
        return netns::measure(want, ctx).map(Measured::Namespaces);
    }
    let cloud = load_cloud(config)?;
    let host = host_name(config, ctx)?;
    explain!(ctx, "host {host}; keystone {}", cloud.auth_url);
    let ca = config.ca_file.clone().or_else(|| cloud.cacert.clone());
    let transport = Transport::new(ca, ctx.host().path().to_path_buf(), ctx.timeout_text());
    let mut api = Api {
        config,
        ctx,
        cloud: &cloud,
        transport: &transport,
        session: None,
        from_cache: false,
    };
    if let Subject::Hypervisor = &config.subject {
        return resources::hypervisor(&mut api, host).map(Measured::Hypervisor);
    }
    if let Subject::Volumes { .. } = &config.subject {
        return resources::volumes(&mut api, host).map(Measured::Volumes);
    }
    let mut m = match &config.subject {
        Subject::Compute { allow_disabled } => compute(&mut api, host, *allow_disabled)?,
        Subject::Network {
            agent_type,
            allow_admin_down,
        } => network(&mut api, host, agent_type, *allow_admin_down)?,
        Subject::Volume { allow_disabled } => volume(&mut api, host, *allow_disabled)?,
        Subject::Namespaces(_) | Subject::Hypervisor | Subject::Volumes { .. } => {
            unreachable!("answered above")
        }
    };
    // A type not registered is a problem already (unless --missing-ok): no fleet.
    if m.absent.is_empty() || config.missing_ok {
        for binary in guard::to_ask(&m.rows, m.allow_disabled) {
            let tally = fleet(&mut api, &config.subject, &binary)?;
            m.fleets.push((binary, tally));
        }
    }
    Ok(Measured::Services(m))
}

fn load_cloud(config: &Config) -> Result<Cloud> {
    let files = SecretFiles {
        password: config.password_file.clone(),
        application_credential_secret: config.application_credential_secret_file.clone(),
    };
    let env = |k: &str| std::env::var(k).ok();
    let mut cloud = match &config.os_cloud {
        Some(name) => {
            let path = match &config.os_config {
                Some(p) => p.clone(),
                None => cloud::search_path(&env)
                    .into_iter()
                    .find(|p| p.is_file())
                    .ok_or_else(|| Error::config("no clouds.yaml found (give --os-config)"))?,
            };
            cloud::from_clouds_yaml(&path, name, &files)?
        }
        None => cloud::from_env(&env, &files)?,
    };
    if let Some(r) = &config.region {
        cloud.region = Some(r.clone());
    }
    if let Some(i) = &config.interface {
        cloud.interface = Some(i.clone());
    }
    Ok(cloud)
}

fn host_name(config: &Config, ctx: &Context) -> Result<String> {
    let name = match &config.host.given {
        Some(h) => h.clone(),
        None => match std::env::var("NODE_NAME")
            .ok()
            .filter(|n| !n.trim().is_empty())
        {
            Some(n) => n.trim().to_string(),
            None => {
                let path = ctx.host_path("/etc/hostname");
                let text =
                    std::fs::read_to_string(&path).map_err(|e| Error::io(path.display(), &e))?;
                let name = text.lines().next().unwrap_or("").trim().to_string();
                if name.is_empty() {
                    return Err(Error::unobserved(format!(
                        "{} is empty; give --host",
                        path.display()
                    )));
                }
                name
            }
        },
    };
    Ok(config.host.rewrite(&name))
}

const NOVA_VERSION: (&str, &str) = ("OpenStack-API-Version", "compute 2.11");
/// Above 3.48 cinder asks its scheduler for each backend's state: a slower call that
/// fails whenever the scheduler does.
const CINDER_VERSION: (&str, &str) = ("OpenStack-API-Version", "volume 3.0");

fn measured(
    what: &'static str,
    host: String,
    rows: Vec<Row>,
    allow: bool,
    ok: &'static str,
) -> Services {
    Services {
        what,
        host,
        rows,
        absent: Vec::new(),
        allow_disabled: allow,
        ok,
        fleets: Vec::new(),
    }
}

fn compute(api: &mut Api, host: String, allow_disabled: bool) -> Result<Services> {
    let base = api.endpoint(&["compute"])?;
    let url = format!(
        "{base}/os-services?binary=nova-compute&host={}",
        query_escape(&host)
    );
    let rows = api.get(
        "nova-api",
        &url,
        Some(NOVA_VERSION),
        services::parse_services,
    )?;
    let rows = rows
        .into_iter()
        .filter(|r| r.host.eq_ignore_ascii_case(&host))
        .collect();
    let ok = "nova-compute is up and enabled";
    Ok(measured("nova-compute", host, rows, allow_disabled, ok))
}

/// cinder's v3 endpoint, with the project when the catalog leaves it out.
fn cinder_base(api: &mut Api) -> Result<String> {
    let base = api.endpoint(&["block-storage", "volumev3"])?;
    if base.rsplit('/').next() != Some("v3") {
        return Ok(base);
    }
    let project = api
        .session()?
        .project_id
        .clone()
        .ok_or_else(|| Error::unobserved("the token has no project"))?;
    Ok(format!("{base}/{project}"))
}

fn volume(api: &mut Api, host: String, allow_disabled: bool) -> Result<Services> {
    let base = cinder_base(api)?;
    let url = format!(
        "{base}/os-services?binary=cinder-volume&host={}",
        query_escape(&host)
    );
    let rows = api.get(
        "cinder-api",
        &url,
        Some(CINDER_VERSION),
        services::parse_services,
    )?;
    let rows = rows
        .into_iter()
        .filter(|r| services::same_host(&r.host, &host))
        .collect();
    let ok = "cinder-volume is up and enabled";
    Ok(measured("cinder-volume", host, rows, allow_disabled, ok))
}

/// neutron's v2.0 root.
fn neutron_base(api: &mut Api) -> Result<String> {
    let base = api.endpoint(&["network"])?;
    Ok(if base.ends_with("/v2.0") {
        base
    } else {
        format!("{base}/v2.0")
    })
}

fn network(
    api: &mut Api,
    host: String,
    types: &[String],
    allow_admin_down: bool,
) -> Result<Services> {
    let base = neutron_base(api)?;
    let url = format!("{base}/agents?host={}", query_escape(&host));
    let rows = api.get("neutron-server", &url, None, services::parse_agents)?;
    let matches =
        |r: &Row, t: &str| r.kind.eq_ignore_ascii_case(t) || r.binary.eq_ignore_ascii_case(t);
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| r.host.eq_ignore_ascii_case(&host))
        .filter(|r| types.is_empty() || types.iter().any(|t| matches(r, t)))
        .collect();
    let absent = types
        .iter()
        .filter(|t| !rows.iter().any(|r| matches(r, t)))
        .cloned()
        .collect();
    let ok = "neutron agents are alive";
    Ok(Services {
        absent,
        ..measured("neutron agent", host, rows, allow_admin_down, ok)
    })
}

/// The rows of `binary` cloud-wide, counted for the shared-outage guard.
fn fleet(api: &mut Api, subject: &Subject, binary: &str) -> Result<Tally> {
    match subject {
        Subject::Compute { .. } | Subject::Hypervisor => {
            let base = api.endpoint(&["compute"])?;
            let url = format!("{base}/os-services?binary=nova-compute");
            api.fleet(
                "nova-api",
                &url,
                binary,
                Some(NOVA_VERSION),
                services::parse_services,
            )
        }
        Subject::Volume { .. } => {
            let base = cinder_base(api)?;
            let url = format!("{base}/os-services?binary=cinder-volume");
            api.fleet(
                "cinder-api",
                &url,
                binary,
                Some(CINDER_VERSION),
                services::parse_services,
            )
        }
        Subject::Namespaces(_) | Subject::Volumes { .. } => {
            unreachable!("no fleet of services for these")
        }
        Subject::Network { .. } => {
            let base = neutron_base(api)?;
            let url = format!(
                "{base}/agents?binary={}&fields=binary&fields=host\
                 &fields=alive&fields=admin_state_up",
                query_escape(binary)
            );
            api.fleet("neutron-server", &url, binary, None, services::parse_agents)
        }
    }
}
