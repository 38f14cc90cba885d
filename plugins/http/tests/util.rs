//! The peers `npd-http` probes: HTTP and HTTPS servers on 127.0.0.1 that answer what
//! each test scripts, hang, drip or send garbage. Every peer stops when the test drops
//! it.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_npd-http");

/// No peer lives longer than this, whatever a test does.
const PEER_LIFETIME: Duration = Duration::from_secs(30);

/// What a peer does with one request.
pub enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// A complete response with this status, extra header lines and body.
    Status(u16, &'static str, String),
    /// Read the request, then never answer (until the peer stops).
    Hang,
    /// These bytes one at a time, `every` apart.
    Drip(Vec<u8>, Duration),
    /// Wait, then send these bytes.
    Late(Duration, Vec<u8>),
    /// These bytes, then never another (until the peer stops).
    Stall(Vec<u8>),
    /// Close without a byte.
    Close,
}

pub fn ok(body: &str) -> Reply {
    Reply::Status(200, "", body.to_string())
}

type Handler = dyn Fn(&str) -> Reply + Send + Sync;

/// A server on 127.0.0.1 answering each request with `handler(request head)`.
pub struct Peer {
    pub port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    accept: Option<JoinHandle<()>>,
}

impl Peer {
    pub fn http(handler: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Peer {
        Peer::start(None, Arc::new(handler))
    }

    pub fn https(
        config: Arc<rustls::ServerConfig>,
        handler: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> Peer {
        Peer::start(Some(config), Arc::new(handler))
    }

    /// Accepts connections and never reads or answers.
    pub fn silent() -> Peer {
        Peer::http(|_| Reply::Hang)
    }

    fn start(tls: Option<Arc<rustls::ServerConfig>>, handler: Arc<Handler>) -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (stop.clone(), requests.clone());
        let accept = std::thread::spawn(move || {
            let born = Instant::now();
            while !s.load(Ordering::SeqCst) && born.elapsed() < PEER_LIFETIME {
                match listener.accept() {
                    Ok((sock, _)) => {
                        let (s, r, h, t) = (s.clone(), r.clone(), handler.clone(), tls.clone());
                        std::thread::spawn(move || serve(sock, t, &*h, &s, &r));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Peer {
            port,
            stop,
            requests,
            accept: Some(accept),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn https_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    /// The request heads received so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(a) = self.accept.take() {
            let _ = a.join();
        }
    }
}

trait Conn: Read + Write {}
impl<T: Read + Write> Conn for T {}

fn serve(
    sock: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: &Handler,
    stop: &AtomicBool,
    requests: &Mutex<Vec<String>>,
) {
    let _ = sock.set_nonblocking(false);
    let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = sock.set_nodelay(true);
    let mut conn: Box<dyn Conn> = match tls {
        Some(config) => {
            let Ok(server) = rustls::ServerConnection::new(config) else {
                return;
            };
            Box::new(rustls::StreamOwned::new(server, sock))
        }
        None => Box::new(sock),
    };
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // A TLS hello sent to a plain peer is answered at once, as an HTTP server answers
    // a line it cannot parse.
    while !head.ends_with(b"\r\n\r\n") && head.len() < 65536 && head.first() != Some(&0x16) {
        match conn.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    requests.lock().unwrap().push(head.clone());
    let hang = |stop: &AtomicBool| {
        let born = Instant::now();
        while !stop.load(Ordering::SeqCst) && born.elapsed() < PEER_LIFETIME {
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    match handler(&head) {
        Reply::Raw(bytes) => {
            let _ = conn.write_all(&bytes);
        }
        Reply::Status(code, extra, body) => {
            let text = format!(
                "HTTP/1.1 {code} X\r\nContent-Length: {}\r\n{extra}\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(text.as_bytes());
        }
        Reply::Hang => hang(stop),
        Reply::Drip(bytes, every) => {
            for b in bytes {
                if stop.load(Ordering::SeqCst) || conn.write_all(&[b]).is_err() {
                    return;
                }
                let _ = conn.flush();
                std::thread::sleep(every);
            }
        }
        Reply::Late(wait, bytes) => {
            std::thread::sleep(wait);
            let _ = conn.write_all(&bytes);
        }
        Reply::Stall(bytes) => {
            let _ = conn.write_all(&bytes);
            let _ = conn.flush();
            hang(stop);
        }
        Reply::Close => return,
    }
    let _ = conn.flush();
    // Let the client read everything before the close.
    std::thread::sleep(Duration::from_millis(20));
}

/// The path of a request head ("GET /x HTTP/1.1" -> "/x").
pub fn path_of(head: &str) -> &str {
    head.split(' ').nth(1).unwrap_or("")
}
