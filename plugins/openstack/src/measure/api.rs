//! The APIs asked with one Keystone session per run: the token comes from the cache
//! shared by every check of the same identity, or from Keystone, and is renewed once
//! when a service answers 401 to a cached token.

use npd_plugin::state::{stable_hash, StateDir};
use npd_plugin::{explain, Context, Error, Result};

use super::cloud::Cloud;
use super::keystone::{self, Cached, Session};
use super::transport::Transport;
use crate::config::Config;
use crate::guard::Tally;
use crate::services::Row;
use crate::stamp;

/// Asks the APIs with a session that is fetched once per run and renewed once on 401.
pub struct Api<'a> {
    pub config: &'a Config,
    pub ctx: &'a Context,
    pub cloud: &'a Cloud,
    pub transport: &'a Transport,
    pub session: Option<Session>,
    pub from_cache: bool,
}

impl Api<'_> {
    /// The token cache of this identity, shared by every check using it. A state dir
    /// that cannot be used costs an authentication per run, nothing else.
    fn store(&self) -> Option<StateDir> {
        let dir = match self.ctx.state() {
            Ok(s) => s.dir().to_path_buf(),
            Err(e) => {
                self.ctx.warn(format_args!("{e}; token not cached"));
                return None;
            }
        };
        let key = format!(
            "token-{:016x}",
            stable_hash(self.cloud.identity().as_bytes())
        );
        let store = StateDir::new(dir, <crate::OpenStack as npd_plugin::Plugin>::NAME, &key);
        match store.lock(self.ctx.deadline()) {
            Ok(()) => Some(store),
            Err(e) => {
                self.ctx.warn(format_args!("{e}; token not cached"));
                None
            }
        }
    }

    pub fn session(&mut self) -> Result<&Session> {
        if self.session.is_none() {
            let identity = self.cloud.identity();
            let store = self.store();
            let cached = store
                .as_ref()
                .and_then(|s| match s.load::<Cached>("token") {
                    Ok(c) => c,
                    Err(e) => {
                        self.ctx.warn(format_args!("{e}; authenticating again"));
                        None
                    }
                });
            match cached {
                Some(c)
                    if keystone::usable(
                        &c,
                        &identity,
                        self.ctx.wall_clock_ms().div_euclid(1000),
                        self.config.token_renew_before,
                    ) =>
                {
                    explain!(
                        self.ctx,
                        "using the cached token (expires {})",
                        stamp::format(c.session.expires_at)
                    );
                    self.session = Some(c.session);
                    self.from_cache = true;
                }
                _ => self.authenticate(store.as_ref())?,
            }
        }
        Ok(self.session.as_ref().expect("session set above"))
    }

    fn authenticate(&mut self, store: Option<&StateDir>) -> Result<()> {
        self.ctx.waiting_for("keystone");
        let session = keystone::authenticate(self.transport, self.cloud, self.ctx.deadline())?;
        explain!(
            self.ctx,
            "new token from keystone (expires {})",
            stamp::format(session.expires_at)
        );
        if let Some(store) = store {
            let cached = Cached {
                identity: self.cloud.identity(),
                session: session.clone(),
            };
            if let Err(e) = store.save("token", &cached) {
                self.ctx.warn(format_args!("{e}; token not cached"));
            }
        }
        self.session = Some(session);
        self.from_cache = false;
        Ok(())
    }

    pub fn endpoint(&mut self, kinds: &[&str]) -> Result<String> {
        let interface = self
            .cloud
            .interface
            .clone()
            .unwrap_or_else(|| "public".into());
        let region = self.cloud.region.clone();
        let session = self.session()?;
        keystone::endpoint(&session.catalog, kinds, &interface, region.as_deref())
    }

    /// GETs `url` and parses its 200 answer with `parse`; `what` names the API.
    pub fn get<T>(
        &mut self,
        what: &str,
        url: &str,
        version: Option<(&str, &str)>,
        parse: fn(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let body = self.body(what, url, version, None)?;
        let body = body.expect("without `absent` every answer but 200 is an error");
        parse(&body).map_err(|e| e.context(format!("{what} answered garbage")))
    }

    /// As [`Api::get`], but a 404 whose body `absent` recognises (the API saying
    /// "none such", not a wrong URL) is `None`.
    pub fn get_or_absent<T>(
        &mut self,
        what: &str,
        url: &str,
        version: Option<(&str, &str)>,
        parse: fn(&[u8]) -> Result<T>,
        absent: fn(&[u8]) -> bool,
    ) -> Result<Option<T>> {
        match self.body(what, url, version, Some(absent))? {
            Some(body) => parse(&body)
                .map(Some)
                .map_err(|e| e.context(format!("{what} answered garbage"))),
            None => Ok(None),
        }
    }

    /// The body of a 200 answer to a GET of `url`, or `None` for a 404 that
    /// `absent` recognises; any other answer is an error (Unknown).
    fn body(
        &mut self,
        what: &str,
        url: &str,
        version: Option<(&str, &str)>,
        absent: Option<fn(&[u8]) -> bool>,
    ) -> Result<Option<Vec<u8>>> {
        for attempt in 0..2 {
            let token = self.session()?.token.clone();
            let mut headers = vec![
                ("X-Auth-Token", token.as_str()),
                ("Accept", "application/json"),
            ];
            if let Some(v) = version {
                headers.extend([v]);
            }
            self.ctx.waiting_for(what);
            let reply = self
                .transport
                .get(what, url, &headers, self.ctx.deadline())?;
            explain!(
                self.ctx,
                "{what}: {} in {:?}",
                reply.status,
                self.ctx.elapsed()
            );
            match reply.status {
                200 => return Ok(Some(reply.body)),
                404 if absent.is_some_and(|f| f(&reply.body)) => return Ok(None),
                401 if attempt == 0 && self.from_cache => {
                    explain!(
                        self.ctx,
                        "{what} refused the cached token; authenticating again"
                    );
                    let store = self.store();
                    self.authenticate(store.as_ref())?;
                }
                401 => {
                    return Err(Error::unobserved(format!(
                        "{what} refused a fresh token (401)"
                    )))
                }
                403 => {
                    return Err(Error::unobserved(format!(
                        "{what} refused the listing (403): needs the admin role"
                    )))
                }
                s => return Err(Error::unobserved(format!("{what} answered {s}"))),
            }
        }
        unreachable!("the loop returns on its second attempt")
    }

    /// The rows of `binary` cloud-wide, counted for the shared-outage guard.
    pub fn fleet(
        &mut self,
        what: &str,
        url: &str,
        binary: &str,
        version: Option<(&str, &str)>,
        parse: fn(&[u8]) -> Result<Vec<Row>>,
    ) -> Result<Tally> {
        let fleet = self.get(what, url, version, parse)?;
        let fleet: Vec<Row> = fleet.into_iter().filter(|r| r.binary == binary).collect();
        let tally = Tally::of(&fleet);
        let guard = self.config.guard;
        explain!(
            self.ctx,
            "{binary} cloud-wide: {} of {} hosts down (of {} rows; disabled and forced \
             down left out); {}: {}",
            tally.down,
            tally.total,
            fleet.len(),
            guard.rule(),
            if guard.trips(tally) {
                "shared"
            } else {
                "this host's"
            }
        );
        Ok(tally)
    }
}
