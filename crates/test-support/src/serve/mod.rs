//! The one HTTP and HTTPS server of the tests: on 127.0.0.1, an ephemeral port, plain
//! or TLS (with a rustls configuration from [`crate::pki`]), answering each request
//! with what the test's handler returns, including the ways real peers misbehave:
//! silence, half an answer, a body dripped byte by byte, an answer that comes late,
//! bytes that are not HTTP, a close without a word. It remembers the request heads,
//! stops accepting when dropped, and never outlives [`LIFETIME`].
//!
//! Not a web server: one request per connection, no keep-alive, no chunked request
//! bodies. A chunked or otherwise hand-made answer is [`Reply::Raw`] or
//! [`Reply::Stream`].

mod request;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use request::read_request;
pub use request::Request;

/// No server, and no connection it serves, lives longer than this, whatever a test
/// does: a hang is then a failed test, not a stuck run.
pub const LIFETIME: Duration = Duration::from_secs(60);

/// How long a connection may take to send its request, and how long the server
/// waits for the client to close once it has answered.
const PATIENCE: Duration = Duration::from_secs(20);

/// Writes a whole answer, head included, to the connection.
pub type Writer = Box<dyn FnOnce(&mut dyn Write) + Send>;

/// What the server does with one request.
pub enum Reply {
    /// A complete answer: this status, extra header lines ("Name: v\r\n", after
    /// Content-Length) and body.
    Status(u16, String, String),
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// Never answer (until the server stops).
    Hang,
    /// These bytes one at a time, this far apart.
    Drip(Vec<u8>, Duration),
    /// Wait this long, then send these bytes.
    Late(Duration, Vec<u8>),
    /// These bytes, then never another (until the server stops).
    Stall(Vec<u8>),
    /// Writes the answer itself (an endless list, a body cut mid-way).
    Stream(Writer),
    /// Close without a byte.
    Close,
}

impl Reply {
    /// A complete answer with `status`, extra header lines and `body`.
    pub fn status(status: u16, headers: impl Into<String>, body: impl Into<String>) -> Reply {
        Reply::Status(status, headers.into(), body.into())
    }

    /// 200 with `body`.
    pub fn ok(body: impl Into<String>) -> Reply {
        Reply::status(200, "", body)
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

#[cfg(feature = "tls")]
type Tls = Option<Arc<rustls::ServerConfig>>;
/// Without the `tls` feature there is no TLS configuration to hold.
#[cfg(not(feature = "tls"))]
#[derive(Clone)]
enum NoTls {}
#[cfg(not(feature = "tls"))]
type Tls = Option<NoTls>;

/// A server on 127.0.0.1 answering each request with `handler(request)`; it stops
/// accepting when dropped.
pub struct Server {
    port: u16,
    tls: bool,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Plain HTTP.
    pub fn http(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start(None, Arc::new(handler))
    }

    /// HTTPS presenting what `config` says (see [`crate::pki`]); every answer ends
    /// with a close_notify, as a real server's does.
    #[cfg(feature = "tls")]
    pub fn https(
        config: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::start(Some(config), Arc::new(handler))
    }

    /// Accepts connections, reads each request and never answers.
    pub fn silent() -> Server {
        Server::http(|_| Reply::Hang)
    }

    /// Raw TCP: each connection goes to `handler` as it is, with the flag that says
    /// the server was dropped; for peers that speak first, or not at all.
    pub fn tcp(handler: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static) -> Server {
        Server::listen(false, Arc::new(move |sock, stop, _| handler(sock, stop)))
    }

    fn start(tls: Tls, handler: Arc<Handler>) -> Server {
        let is_tls = tls.is_some();
        Server::listen(
            is_tls,
            Arc::new(move |sock, stop, requests| {
                serve(sock, tls.clone(), &*handler, stop, requests)
            }),
        )
    }

    /// The one accept loop: every connection on its own thread, until dropped or
    /// [`LIFETIME`] has passed.
    fn listen(tls: bool, on_conn: Arc<OnConn>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port on 127.0.0.1");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (stop.clone(), requests.clone());
        let accept = std::thread::spawn(move || {
            let born = Instant::now();
            while !s.load(Ordering::SeqCst) && born.elapsed() < LIFETIME {
                match listener.accept() {
                    Ok((sock, _)) => {
                        let (s, r, on_conn) = (s.clone(), r.clone(), on_conn.clone());
                        std::thread::spawn(move || {
                            let _ = sock.set_nonblocking(false);
                            on_conn(sock, &s, &r)
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            tls,
            stop,
            requests,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port><path>`, or https:// for a TLS server.
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}{path}", self.port)
    }

    /// The request heads received so far, in the order they came.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// What the accept loop does with a connection.
type OnConn = dyn Fn(TcpStream, &AtomicBool, &Mutex<Vec<String>>) + Send + Sync;

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(a) = self.accept.take() {
            let _ = a.join();
        }
    }
}

pub(super) trait Conn: Read + Write {
    /// Ends what the protocol needs ended before the TCP close.
    fn finish(&mut self) {}
}

impl Conn for TcpStream {}

#[cfg(feature = "tls")]
impl Conn for rustls::StreamOwned<rustls::ServerConnection, TcpStream> {
    fn finish(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
    }
}

fn serve(
    sock: TcpStream,
    tls: Tls,
    handler: &Handler,
    stop: &AtomicBool,
    requests: &Mutex<Vec<String>>,
) {
    let _ = sock.set_nonblocking(false);
    let _ = sock.set_read_timeout(Some(PATIENCE));
    let _ = sock.set_nodelay(true);
    let Ok(tcp) = sock.try_clone() else { return };
    let mut conn: Box<dyn Conn> = match tls {
        #[cfg(feature = "tls")]
        Some(config) => {
            let Ok(server) = rustls::ServerConnection::new(config) else {
                return;
            };
            Box::new(rustls::StreamOwned::new(server, sock))
        }
        #[cfg(not(feature = "tls"))]
        Some(never) => match never {},
        None => Box::new(sock),
    };
    let Some(request) = read_request(&mut *conn) else {
        return;
    };
    requests.lock().unwrap().push(request.head.clone());
    let hang = || {
        let born = Instant::now();
        while !stop.load(Ordering::SeqCst) && born.elapsed() < LIFETIME {
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    match handler(&request) {
        Reply::Status(code, extra, body) => {
            let text = format!(
                "HTTP/1.1 {code} X\r\nContent-Length: {}\r\n{extra}\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(text.as_bytes());
        }
        Reply::Raw(bytes) => {
            let _ = conn.write_all(&bytes);
        }
        Reply::Hang => hang(),
        Reply::Drip(bytes, every) => {
            for b in bytes {
                if stop.load(Ordering::SeqCst)
                    || conn.write_all(&[b]).and_then(|_| conn.flush()).is_err()
                {
                    return;
                }
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
            hang();
        }
        Reply::Stream(write) => write(&mut *conn),
        Reply::Close => return,
    }
    let _ = conn.flush();
    conn.finish();
    close_after_the_client(&tcp);
}

/// Ends the answer with a FIN and reads whatever the client still sends until it
/// closes too: closing with unread bytes would send a reset, which can destroy the
/// answer before the client has read it.
fn close_after_the_client(tcp: &TcpStream) {
    let _ = tcp.shutdown(Shutdown::Write);
    let mut sink = [0u8; 4096];
    let mut reader = tcp;
    while let Ok(1..) = reader.read(&mut sink) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(server: &Server, path: &str) -> String {
        let mut sock = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        write!(sock, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        sock.read_to_string(&mut answer).unwrap();
        answer
    }

    #[test]
    fn answers_what_the_handler_says_and_remembers_the_heads() {
        let server = Server::http(|r| Reply::ok(r.path()));
        assert_eq!(
            get(&server, "/x?y"),
            "HTTP/1.1 200 X\r\nContent-Length: 4\r\n\r\n/x?y"
        );
        assert_eq!(server.requests(), ["GET /x?y HTTP/1.1\r\nHost: x\r\n\r\n"]);
        assert_eq!(
            server.url("/a"),
            format!("http://127.0.0.1:{}/a", server.port())
        );
    }

    #[test]
    fn a_body_is_read_as_long_as_announced() {
        let server = Server::http(|r| Reply::Raw(r.body.clone()));
        let mut sock = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        sock.write_all(b"POST / HTTP/1.1\r\nContent-length: 3\r\n\r\nabc")
            .unwrap();
        let mut answer = String::new();
        sock.read_to_string(&mut answer).unwrap();
        assert_eq!(answer, "abc");
    }

    #[test]
    fn a_hanging_reply_ends_when_the_server_is_dropped() {
        let server = Server::silent();
        let mut sock = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        sock.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        assert!(sock.read(&mut [0u8; 1]).is_err());
        drop(server);
        sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(sock.read(&mut [0u8; 1]).unwrap(), 0);
    }

    #[test]
    fn a_tls_hello_to_a_plain_server_is_one_request() {
        let server = Server::http(|r| Reply::Raw(vec![r.head.chars().count() as u8]));
        let mut sock = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        sock.write_all(&[0x16, 0x03, 0x01, 0x00, 0x02, 0xaa, 0xbb])
            .unwrap();
        let mut answer = Vec::new();
        sock.read_to_end(&mut answer).unwrap();
        assert_eq!(answer, [7]);
    }
}
