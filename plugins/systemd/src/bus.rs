//! A connection to the system bus: the unix socket, SASL EXTERNAL authentication with
//! this process's uid, `Hello`, and method calls that wait for their own reply. Every
//! read and write waits at most until the run's deadline, so a bus that accepts and
//! never answers costs the plugin its deadline and no more.
//!
//! The bus is only the way to ask systemd: every failure here is Unobserved (Unknown).
//! An error reply is the callee's answer, not a failure of the bus, and is returned as
//! such ([`Call::Remote`]) for the caller to judge.

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use npd_plugin::units::format_duration;
use npd_plugin::{short_io_reason, Error};

use crate::unmarshal;
use crate::wire::{self, Message, Value};

/// The outcome of a method call that did not fail on the way.
#[derive(Debug)]
pub enum Call {
    /// The reply's body.
    Reply(Vec<Value>),
    /// An error reply: its name and first string argument, if any.
    Remote { name: String, text: String },
}

pub struct Bus {
    stream: UnixStream,
    path: PathBuf,
    deadline: Instant,
    timeout: Duration,
    serial: u32,
}

impl Bus {
    /// Connects, authenticates and says Hello. `timeout` is only for messages.
    pub fn connect(path: &Path, deadline: Instant, timeout: Duration) -> Result<Bus, Error> {
        let stream = UnixStream::connect(path).map_err(|e| {
            let why = match e.kind() {
                ErrorKind::NotFound => "no such socket".to_string(),
                ErrorKind::ConnectionRefused => "connection refused".to_string(),
                _ => short_io_reason(&e),
            };
            Error::unobserved(format!("no system bus at {}: {why}", path.display()))
        })?;
        let mut bus = Bus {
            stream,
            path: path.to_path_buf(),
            deadline,
            timeout,
            serial: 0,
        };
        bus.authenticate()?;
        match bus.call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "Hello",
            &[],
        )? {
            Call::Reply(_) => Ok(bus),
            Call::Remote { name, .. } => Err(bus.failed(&format!("Hello refused: {name}"))),
        }
    }

    fn failed(&self, why: &str) -> Error {
        Error::unobserved(format!("system bus {}: {why}", self.path.display()))
    }

    /// The time left before the deadline, or the error that says none is.
    fn left(&self) -> Result<Duration, Error> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::unobserved(format!(
                "no answer from the system bus at {} in {}",
                self.path.display(),
                format_duration(self.timeout)
            )));
        }
        Ok(left)
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
            // The deadline passed while waiting: say so in its words.
            return self
                .left()
                .err()
                .unwrap_or_else(|| self.failed("timed out"));
        }
        if e.kind() == ErrorKind::UnexpectedEof {
            return self.failed("connection closed");
        }
        self.failed(&short_io_reason(&e))
    }

    fn write_all(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let mut at = 0;
        while at < bytes.len() {
            let left = self.left()?;
            self.stream
                .set_write_timeout(Some(left))
                .map_err(|e| self.io_error(e))?;
            match self.stream.write(&bytes[at..]) {
                Ok(0) => return Err(self.failed("connection closed")),
                Ok(n) => at += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
        Ok(())
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let mut at = 0;
        while at < buf.len() {
            let left = self.left()?;
            self.stream
                .set_read_timeout(Some(left))
                .map_err(|e| self.io_error(e))?;
            match self.stream.read(&mut buf[at..]) {
                Ok(0) => return Err(self.failed("connection closed")),
                Ok(n) => at += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
        Ok(())
    }

    /// SASL EXTERNAL: the bus checks the uid against the socket's peer credentials.
    fn authenticate(&mut self) -> Result<(), Error> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let uid = unsafe { libc::geteuid() }.to_string();
        let hex: String = uid.bytes().map(|b| format!("{b:02x}")).collect();
        self.write_all(format!("\0AUTH EXTERNAL {hex}\r\n").as_bytes())?;
        let line = self.read_line()?;
        if !line.starts_with("OK ") {
            let words: String = line.chars().take(40).collect();
            return Err(self.failed(&format!("authentication refused ({words})")));
        }
        self.write_all(b"BEGIN\r\n")
    }

    /// One line of the authentication dialogue, read byte by byte so that nothing of
    /// the messages after it is consumed.
    fn read_line(&mut self) -> Result<String, Error> {
        let mut line = Vec::new();
        while !line.ends_with(b"\r\n") {
            if line.len() > 512 {
                return Err(self.failed("authentication line too long"));
            }
            let mut b = [0u8];
            self.read_exact(&mut b)?;
            line.push(b[0]);
        }
        line.truncate(line.len() - 2);
        String::from_utf8(line).map_err(|_| self.failed("authentication line not text"))
    }

    fn receive(&mut self) -> Result<Message, Error> {
        let mut head = [0u8; 16];
        self.read_exact(&mut head)?;
        let len = wire::message_len(&head).map_err(|e| self.failed(&e))?;
        let mut bytes = head.to_vec();
        bytes.resize(len, 0);
        self.read_exact(&mut bytes[16..])?;
        unmarshal::parse(&bytes).map_err(|e| self.failed(&format!("malformed message: {e}")))
    }

    /// Calls `member` with string arguments and waits for its reply, passing over
    /// signals and anything else the bus sends meanwhile.
    pub fn call(
        &mut self,
        destination: &str,
        path: &str,
        interface: &str,
        member: &str,
        args: &[&str],
    ) -> Result<Call, Error> {
        self.serial += 1;
        let serial = self.serial;
        let bytes = wire::method_call(serial, destination, path, interface, member, args);
        self.write_all(&bytes)?;
        loop {
            let msg = self.receive()?;
            if msg.reply_serial != Some(serial) {
                continue;
            }
            return match msg.kind {
                wire::METHOD_RETURN => Ok(Call::Reply(msg.body)),
                wire::ERROR => Ok(Call::Remote {
                    name: msg.error_name.unwrap_or_default(),
                    text: msg
                        .body
                        .first()
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                }),
                other => Err(self.failed(&format!("reply of message type {other}"))),
            };
        }
    }
}
