//! Every read of a run: the DMI tables when the cloud or its address must be confirmed,
//! then the cloud's metadata service ([`aws`], [`gcp`], [`azure`]), which is only the
//! way to ask: whatever fails there is Unknown, never a problem.

pub mod aws;
pub mod azure;
pub mod gcp;
mod transport;

use npd_plugin::{explain, Context, Error, Result};

use crate::config::{Cloud, Config};
use crate::detect;
use crate::event::Event;

pub use http_probe::Reply;
pub use transport::{unexpected, Metadata};

/// What the metadata service announced, and what could not be read beside it (an
/// endpoint that failed, an entry that makes no sense): a notice read stands even so.
#[derive(Debug, Default)]
pub struct Measured {
    pub events: Vec<Event>,
    pub failures: Vec<Error>,
}

/// Asks the cloud's metadata service for what it announces.
pub fn measure(config: &Config, ctx: &Context) -> Result<Measured> {
    let (cloud, base) = target(config, ctx)?;
    explain!(ctx, "cloud {}, metadata service {base}", cloud.name());
    let service = Metadata::new(base, ctx);
    match cloud {
        Cloud::Aws => aws::measure(&service, config, ctx),
        Cloud::Gcp => gcp::measure(&service, config, ctx),
        Cloud::Azure => azure::measure(&service, config, ctx),
    }
}

/// The cloud and the address to ask. The cloud's own address is asked only where the
/// DMI tables name that cloud, so that a rule for one cloud never sends its requests
/// to another's metadata service, or to a link-local address off any cloud.
fn target(config: &Config, ctx: &Context) -> Result<(Cloud, String)> {
    if let (Some(cloud), Some(url)) = (config.cloud, &config.metadata_url) {
        return Ok((cloud, url.clone()));
    }
    let dmi = read_dmi(ctx);
    let value = |f: &str| {
        dmi.iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let found = detect::cloud(value);
    explain!(
        ctx,
        "DMI tables name {}",
        found.map_or("no cloud", Cloud::name)
    );
    let vendor = value("sys_vendor");
    let cloud = match (config.cloud, found) {
        (None, Some(found)) => found,
        (None, None) => {
            return Err(Error::config(format!(
                "no cloud in DMI (sys_vendor {vendor:?}); give --cloud"
            )))
        }
        (Some(cloud), found) if found == Some(cloud) || config.metadata_url.is_some() => cloud,
        (Some(cloud), _) => {
            return Err(Error::unobserved(format!(
                "DMI names no {} VM (sys_vendor {vendor:?})",
                cloud.name()
            )))
        }
    };
    let base = config
        .metadata_url
        .clone()
        .unwrap_or_else(|| cloud.default_url().to_string());
    Ok((cloud, base))
}

/// The DMI values, trimmed; a file missing or unreadable is empty (a host without
/// DMI tables names no cloud).
fn read_dmi(ctx: &Context) -> Vec<(&'static str, String)> {
    detect::FILES
        .iter()
        .map(|f| {
            let path = ctx.host_path(format!("/sys/class/dmi/id/{f}"));
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t.trim().to_string(),
                Err(e) => {
                    explain!(ctx, "{}: {e}", path.display());
                    String::new()
                }
            };
            explain!(ctx, "dmi {f}: {text:?}");
            (*f, text)
        })
        .collect()
}

/// A body that is not what the endpoint documents.
pub fn garbage(what: &str, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let first: String = text
        .trim()
        .chars()
        .take(24)
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    Error::unobserved(format!("{what}: unexpected answer {first:?}"))
}
