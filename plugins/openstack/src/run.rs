//! One run: find the cloud and this host's name, get a token (cached or new), ask the
//! service, judge.

use npd_plugin::{explain, Context, Error, Outcome, Result};

use crate::api::Api;
use crate::cloud::{self, Cloud, SecretFiles};
use crate::guard;
use crate::services::{self, query_escape, Row};
use crate::transport::Transport;
use crate::{stamp, Args, Subject};

pub fn check(args: &Args, ctx: &Context) -> Result<Outcome> {
    let cloud = load_cloud(args)?;
    let host = host_name(args, ctx)?;
    explain!(ctx, "host {host}; keystone {}", cloud.auth_url);
    let ca = args.ca_file.clone().or_else(|| cloud.cacert.clone());
    let transport = Transport::new(ca, ctx.host().path().to_path_buf(), ctx.timeout_text());
    let mut api = Api {
        args,
        ctx,
        cloud: &cloud,
        transport: &transport,
        session: None,
        from_cache: false,
    };
    match &args.subject {
        Subject::Compute { allow_disabled } => compute(&mut api, &host, *allow_disabled),
        Subject::Network {
            agent_type,
            allow_admin_down,
        } => network(&mut api, &host, agent_type, *allow_admin_down),
        Subject::Volume { allow_disabled } => volume(&mut api, &host, *allow_disabled),
    }
}

fn load_cloud(args: &Args) -> Result<Cloud> {
    let files = SecretFiles {
        password: args.password_file.clone(),
        application_credential_secret: args.application_credential_secret_file.clone(),
    };
    let env = |k: &str| std::env::var(k).ok();
    let mut cloud = match &args.os_cloud {
        Some(name) => {
            let path = match &args.os_config {
                Some(p) => p.clone(),
                None => cloud::search_path(&env)
                    .into_iter()
                    .find(|p| p.is_file())
                    .ok_or("no clouds.yaml found (give --os-config)")?,
            };
            cloud::from_clouds_yaml(&path, name, &files)?
        }
        None => cloud::from_env(&env, &files)?,
    };
    if let Some(r) = &args.region {
        cloud.region = Some(r.clone());
    }
    if let Some(i) = &args.interface {
        cloud.interface = Some(cloud::normalize_interface(i));
    }
    Ok(cloud)
}

fn host_name(args: &Args, ctx: &Context) -> Result<String> {
    let mut host = match &args.host {
        Some(h) => h.trim().to_string(),
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
                    return Err(format!("{} is empty; give --host", path.display()).into());
                }
                name
            }
        },
    };
    if args.strip_domain {
        host = host.split('.').next().unwrap_or(&host).to_string();
    }
    if let Some(s) = &args.host_suffix {
        host.push_str(s);
    }
    Ok(host)
}

const NOVA_VERSION: (&str, &str) = ("OpenStack-API-Version", "compute 2.11");
/// Above 3.48 cinder asks its scheduler for each backend's state: a slower call that
/// fails whenever the scheduler does.
const CINDER_VERSION: (&str, &str) = ("OpenStack-API-Version", "volume 3.0");

fn compute(api: &mut Api, host: &str, allow_disabled: bool) -> Result<Outcome> {
    let base = api.endpoint(&["compute"])?;
    let url = format!(
        "{base}/os-services?binary=nova-compute&host={}",
        query_escape(host)
    );
    let rows = api.get(
        "nova-api",
        &url,
        Some(NOVA_VERSION),
        services::parse_services,
    )?;
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| r.host.eq_ignore_ascii_case(host))
        .collect();
    let fleet_url = format!("{base}/os-services?binary=nova-compute");
    judge(
        api,
        "nova-compute",
        host,
        rows,
        allow_disabled,
        "nova-compute is up and enabled",
        |api, bin| {
            api.fleet(
                "nova-api",
                &fleet_url,
                bin,
                Some(NOVA_VERSION),
                services::parse_services,
            )
        },
    )
}

fn volume(api: &mut Api, host: &str, allow_disabled: bool) -> Result<Outcome> {
    let base = api.endpoint(&["block-storage", "volumev3"])?;
    let base = if base.rsplit('/').next() == Some("v3") {
        let project = api
            .session()?
            .project_id
            .clone()
            .ok_or("the token has no project")?;
        format!("{base}/{project}")
    } else {
        base
    };
    let url = format!(
        "{base}/os-services?binary=cinder-volume&host={}",
        query_escape(host)
    );
    let rows = api.get(
        "cinder-api",
        &url,
        Some(CINDER_VERSION),
        services::parse_services,
    )?;
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| services::same_host(&r.host, host))
        .collect();
    let fleet_url = format!("{base}/os-services?binary=cinder-volume");
    judge(
        api,
        "cinder-volume",
        host,
        rows,
        allow_disabled,
        "cinder-volume is up and enabled",
        |api, bin| {
            api.fleet(
                "cinder-api",
                &fleet_url,
                bin,
                Some(CINDER_VERSION),
                services::parse_services,
            )
        },
    )
}

fn network(api: &mut Api, host: &str, types: &[String], allow_admin_down: bool) -> Result<Outcome> {
    let base = api.endpoint(&["network"])?;
    let base = if base.ends_with("/v2.0") {
        base
    } else {
        format!("{base}/v2.0")
    };
    let url = format!("{base}/agents?host={}", query_escape(host));
    let rows = api.get("neutron-server", &url, None, services::parse_agents)?;
    let matches =
        |r: &Row, t: &str| r.kind.eq_ignore_ascii_case(t) || r.binary.eq_ignore_ascii_case(t);
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| r.host.eq_ignore_ascii_case(host))
        .filter(|r| types.is_empty() || types.iter().any(|t| matches(r, t)))
        .collect();
    let absent: Vec<&String> = types
        .iter()
        .filter(|t| !rows.iter().any(|r| matches(r, t)))
        .collect();
    if !absent.is_empty() && !api.args.missing_ok {
        let list: Vec<&str> = absent.iter().map(|s| s.as_str()).collect();
        return Ok(Outcome::problem(format!(
            "{} not registered for {host}",
            list.join(", ")
        )));
    }
    let fleet_base = base.clone();
    judge(
        api,
        "neutron agent",
        host,
        rows,
        allow_admin_down,
        "neutron agents are alive",
        move |api, bin| {
            let url = format!(
                "{fleet_base}/agents?binary={}&fields=binary&fields=host\
                 &fields=alive&fields=admin_state_up",
                query_escape(bin)
            );
            api.fleet("neutron-server", &url, bin, None, services::parse_agents)
        },
    )
}

/// The common rule: no row is "not registered" (unless --missing-ok); rows judged
/// one by one, a row merely down checked against the fleet (`guard::verdict`).
fn judge(
    api: &mut Api,
    what: &str,
    host: &str,
    rows: Vec<Row>,
    allow_disabled: bool,
    ok: &str,
    mut fleet: impl FnMut(&mut Api, &str) -> Result<Vec<Row>>,
) -> Result<Outcome> {
    for r in &rows {
        explain!(
            api.ctx,
            "{} {} ({}): up {} enabled {} forced_down {} last seen {}",
            r.binary,
            r.host,
            r.kind,
            r.up,
            r.enabled,
            r.forced_down,
            r.last_seen
                .map(stamp::format)
                .unwrap_or_else(|| "unknown".into())
        );
    }
    if rows.is_empty() {
        return Ok(if api.args.missing_ok {
            Outcome::ok(format!("no {what} registered for this host"))
        } else {
            Outcome::problem(format!("{what} not registered for {host}"))
        });
    }
    let guard = api.args.guard();
    guard::verdict(&rows, allow_disabled, &guard, ok, |binary| {
        fleet(api, binary)
    })
}
