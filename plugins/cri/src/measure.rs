//! Every call of a run: finds the socket under the host root, connects, and asks the
//! runtime `Version`, `Status` and `ListPodSandbox` in turn on one HTTP/2 connection,
//! timing each. Everything waits at most until `ctx.deadline()`, on a current-thread
//! tokio runtime that holds no thread of its own.
//!
//! Whose fault a failure is, by the contract's table:
//! - no socket file: no runtime is installed here, or the host root is wrong: Unknown;
//! - connection refused on a socket file that is there: the runtime made it and is no
//!   longer serving it. containerd removes its socket when stopped cleanly, so what
//!   is left is a runtime that crashed or was killed, and the kubelet can start no pod:
//!   a problem, as npd-process reports a missing containerd;
//! - accepted and no answer by the deadline: a hung runtime, a problem, as a probe
//!   timeout is;
//! - bytes that are not HTTP/2, an HTTP/2 answer that is not gRPC, a gRPC error status
//!   (Unimplemented from a runtime without the v1 CRI, or a containerd whose CRI
//!   plugin is disabled): what answers is not a CRI server this plugin can ask, which
//!   is a wrong socket or an old runtime (configuration), not an observed bad runtime:
//!   Unknown. Every CRI runtime speaks gRPC whatever state it is in.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use npd_plugin::hostfs::Reach;
use npd_plugin::{explain, short_io_reason, Context, Error, Result};
use tokio::net::UnixStream;

use crate::config::{Config, DEFAULT_SOCKETS};
use crate::cri::{
    ListPodSandboxRequest, ListPodSandboxResponse, RuntimeCondition, StatusRequest, StatusResponse,
    VersionRequest, VersionResponse, SERVICE,
};
use crate::grpc::{CallError, Channel};

/// What the runtime answered, and how long each call took.
#[derive(Debug)]
pub struct Measured {
    /// The socket, host view.
    pub socket: PathBuf,
    pub version: VersionResponse,
    pub conditions: Vec<RuntimeCondition>,
    /// Ready pod sandboxes listed.
    pub sandboxes: usize,
    pub list_took: Duration,
}

pub fn measure(config: &Config, ctx: &Context) -> Result<Measured> {
    let (socket, real) = find_socket(config, ctx)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::unobserved(format!("no async runtime: {}", short_io_reason(&e))))?;
    let deadline = tokio::time::Instant::from_std(ctx.deadline());
    let ask = Asker {
        ctx,
        socket: &socket,
        deadline,
    };
    runtime.block_on(ask.all(&real))
}

/// The socket to ask: the one given, else the first default that exists. Paths are
/// followed as the host would (its /var/run is a symlink to /run), without a call that
/// could hang.
fn find_socket(config: &Config, ctx: &Context) -> Result<(PathBuf, PathBuf)> {
    let candidates: Vec<&Path> = match &config.socket {
        Some(given) => vec![given.as_path()],
        None => DEFAULT_SOCKETS.iter().map(Path::new).collect(),
    };
    for path in &candidates {
        ctx.waiting_for(format!("looking up {}", path.display()));
        match ctx.hostfs().resolve(path) {
            Ok(Reach::Local { host, real, .. }) => {
                let meta =
                    std::fs::symlink_metadata(&real).map_err(|e| Error::io(host.display(), &e))?;
                use std::os::unix::fs::FileTypeExt;
                if !meta.file_type().is_socket() {
                    return Err(Error::unobserved(format!(
                        "{} is not a socket",
                        host.display()
                    )));
                }
                explain!(ctx, "socket: {} (as {})", host.display(), real.display());
                return Ok((host, real));
            }
            Ok(Reach::Missing(at)) => {
                explain!(
                    ctx,
                    "{}: not there ({} missing)",
                    path.display(),
                    at.display()
                );
            }
            Ok(Reach::Guarded(g)) => {
                return Err(Error::unobserved(format!(
                    "{}: on {}, not reached",
                    path.display(),
                    g.describe()
                )))
            }
            Err(e) => return Err(Error::unobserved(format!("cannot look up {e}"))),
        }
    }
    let names: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    Err(Error::unobserved(format!(
        "no CRI socket at {}",
        names.join(" or ")
    )))
}

struct Asker<'a> {
    ctx: &'a Context,
    socket: &'a Path,
    deadline: tokio::time::Instant,
}

impl Asker<'_> {
    async fn all(&self, real: &Path) -> Result<Measured> {
        let mut channel = self.connect(real).await?;
        let (version, took) = self
            .call::<_, VersionResponse>(&mut channel, "Version", &VersionRequest::default())
            .await?;
        explain!(
            self.ctx,
            "Version: {} {}, CRI {} ({} ms)",
            version.runtime_name,
            version.runtime_version,
            version.runtime_api_version,
            took.as_millis()
        );
        let request = StatusRequest { verbose: false };
        let (status, took) = self
            .call::<_, StatusResponse>(&mut channel, "Status", &request)
            .await?;
        let conditions = status.status.map(|s| s.conditions).unwrap_or_default();
        for c in &conditions {
            explain!(
                self.ctx,
                "Status: {} {} (reason {:?}, message {:?})",
                c.r#type,
                c.status,
                c.reason,
                c.message
            );
        }
        explain!(
            self.ctx,
            "Status: {} conditions ({} ms)",
            conditions.len(),
            took.as_millis()
        );
        let (list, list_took) = self
            .call::<_, ListPodSandboxResponse>(
                &mut channel,
                "ListPodSandbox",
                &ListPodSandboxRequest::ready(),
            )
            .await?;
        Ok(Measured {
            socket: self.socket.to_path_buf(),
            version,
            conditions,
            sandboxes: list.items.len(),
            list_took,
        })
    }

    async fn connect(&self, real: &Path) -> Result<Channel> {
        let socket = self.socket.display();
        self.ctx.waiting_for(format!("connecting to {socket}"));
        let connected = tokio::time::timeout_at(self.deadline, UnixStream::connect(real))
            .await
            .map_err(|_| self.no_answer("connect"))?;
        let stream = connected.map_err(|e| {
            use std::io::ErrorKind::*;
            match e.kind() {
                ConnectionRefused => {
                    Error::problem(format!("{socket}: connection refused, runtime not serving"))
                }
                // A unix socket whose listen backlog is full: the runtime does not
                // accept connections any more.
                WouldBlock => Error::problem(format!("{socket}: not accepting connections")),
                _ => Error::unobserved(format!(
                    "cannot connect to {socket}: {}",
                    short_io_reason(&e)
                )),
            }
        })?;
        tokio::time::timeout_at(self.deadline, Channel::start(stream))
            .await
            .map_err(|_| self.no_answer("connect"))?
            .map_err(|e| self.failed("connect", e))
    }

    async fn call<Q: prost::Message, A: prost::Message + Default>(
        &self,
        channel: &mut Channel,
        method: &'static str,
        request: &Q,
    ) -> Result<(A, Duration)> {
        self.ctx
            .waiting_for(format!("{method} from {}", self.socket.display()));
        let started = Instant::now();
        let reply = tokio::time::timeout_at(self.deadline, channel.unary(SERVICE, method, request))
            .await
            .map_err(|_| self.no_answer(method))?
            .map_err(|e| self.failed(method, e))?;
        Ok((reply, started.elapsed()))
    }

    /// The runtime accepted and did not answer in time: hung, a problem.
    fn no_answer(&self, method: &str) -> Error {
        Error::problem(format!(
            "no answer from {} in {} to {method}",
            self.socket.display(),
            self.ctx.timeout_text()
        ))
    }

    /// Whatever answered is no CRI server this plugin can ask: Unknown (module docs).
    fn failed(&self, method: &str, e: CallError) -> Error {
        let socket = self.socket.display();
        match e {
            CallError::NotHttp2(_) => {
                Error::unobserved(format!("{socket} is not a CRI socket: {e}"))
            }
            CallError::Status { .. } => Error::unobserved(format!("CRI {method}: {e}")),
            _ => Error::unobserved(format!("{socket}: {method}: {e}")),
        }
    }
}
