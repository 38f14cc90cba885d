//! The requests of a run through `http_probe`'s client, each bounded by the run's
//! deadline, no redirect followed. The metadata service is only the way to ask
//! ([`Role::WayToAsk`]): refused, silent or garbled, it is Unknown.

use http_probe::{Client, ClientOptions, Failure, FailureKind, Reply, Request, Role, Url};
use npd_plugin::{explain, Context, Error, Result};

/// A metadata answer is a few hundred bytes; Azure's event list for a scale set's
/// placement group is the largest and stays far below this.
pub const BODY_LIMIT: usize = 1 << 20;

/// The metadata service at one base URL.
pub struct Metadata<'a> {
    base: String,
    client: Client,
    ctx: &'a Context,
}

impl<'a> Metadata<'a> {
    pub fn new(base: String, ctx: &'a Context) -> Metadata<'a> {
        let client = Client::new(ClientOptions {
            user_agent: Some("npd-maintenance".into()),
            ..Default::default()
        });
        Metadata { base, client, ctx }
    }

    /// Sends `method` to `path` (appended to the base URL) with `headers`; `what`
    /// names the endpoint in messages.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        what: &str,
    ) -> Result<Reply> {
        let text = format!("{}{path}", self.base);
        let url = Url::parse(&text).map_err(|e| Error::config(format!("{text}: {e}")))?;
        let req = Request {
            method,
            url: &url,
            headers,
            payload: None,
        };
        self.ctx
            .waiting_for(format!("waiting for {what} at {text}"));
        let reply = self
            .client
            .fetch(&req, self.ctx.deadline(), BODY_LIMIT)
            .map_err(|f| self.failed(what, &f))?;
        explain!(
            self.ctx,
            "{method} {text}: HTTP {}, {} bytes",
            reply.status,
            reply.body.len()
        );
        if reply.cut {
            return Err(Error::unobserved(format!(
                "{what}: answer over {} KiB",
                BODY_LIMIT >> 10
            )));
        }
        Ok(reply)
    }

    fn failed(&self, what: &str, f: &Failure) -> Error {
        explain!(self.ctx, "{what} failed ({:?}): {}", f.kind, f.message);
        let words = match f.kind {
            FailureKind::Timeout => format!(
                "{what}: no answer in {} ({})",
                self.ctx.timeout_text(),
                f.message
            ),
            _ => format!("{what}: {}", f.message),
        };
        f.error(Role::WayToAsk, words)
    }
}

/// The status is not the one `what` documents.
pub fn unexpected(what: &str, status: u16) -> Error {
    Error::unobserved(format!("{what}: HTTP {status}"))
}
