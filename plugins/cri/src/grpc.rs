//! A gRPC client for unary calls, as small as this plugin needs: HTTP/2 with prior
//! knowledge (h2c) over an already connected unix socket, one protobuf message each
//! way, the call's status read from the trailers. No TLS, no compression, no retries:
//! a CRI socket is local and a retry would only hide a slow runtime.
//!
//! The failures are told apart by what they say about the peer ([`CallError`]); which
//! of them is the runtime's fault is decided by the caller, not here.

use std::fmt;

use bytes::{Bytes, BytesMut};
use h2::client::SendRequest;
use http::{HeaderMap, Request, StatusCode};
use tokio::net::UnixStream;

/// The most a reply may hold: the kubelet's own limit for CRI messages (16 MiB).
const MAX_REPLY: usize = 16 << 20;

/// Why a call got no usable reply.
#[derive(Debug)]
pub enum CallError {
    /// The peer broke the HTTP/2 protocol from its first bytes on (an HTTP/1 server,
    /// anything that is not gRPC): h2's reason.
    NotHttp2(String),
    /// The connection was closed or reset before the reply was whole.
    Closed(String),
    /// The peer refused or reset this call's stream (HTTP/2 RST_STREAM or GOAWAY).
    Refused(String),
    /// An HTTP/2 answer that is not a gRPC one: another status than 200, no
    /// grpc-status, a compressed or cut message.
    NotGrpc(String),
    /// The call failed with a gRPC status other than OK.
    Status { code: u32, message: String },
    /// The reply is not the protobuf message expected.
    Decode(String),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NotHttp2(why) => write!(f, "not HTTP/2 ({why})"),
            CallError::Closed(why) => write!(f, "connection closed ({why})"),
            CallError::Refused(why) => write!(f, "call refused ({why})"),
            CallError::NotGrpc(why) => write!(f, "not a gRPC answer ({why})"),
            CallError::Status { code, message } if message.is_empty() => {
                write!(f, "gRPC status {}", code_name(*code))
            }
            CallError::Status { code, message } => {
                write!(f, "gRPC status {}: {message}", code_name(*code))
            }
            CallError::Decode(why) => write!(f, "bad protobuf reply ({why})"),
        }
    }
}

/// The name gRPC gives a status code.
pub fn code_name(code: u32) -> String {
    const NAMES: [&str; 17] = [
        "OK",
        "Cancelled",
        "Unknown",
        "InvalidArgument",
        "DeadlineExceeded",
        "NotFound",
        "AlreadyExists",
        "PermissionDenied",
        "ResourceExhausted",
        "FailedPrecondition",
        "Aborted",
        "OutOfRange",
        "Unimplemented",
        "Internal",
        "Unavailable",
        "DataLoss",
        "Unauthenticated",
    ];
    match NAMES.get(code as usize) {
        Some(name) => (*name).to_string(),
        None => format!("code {code}"),
    }
}

fn h2_error(e: h2::Error) -> CallError {
    if e.is_io() {
        let reason = e
            .get_io()
            .map_or_else(|| e.to_string(), npd_plugin::short_io_reason);
        return CallError::Closed(reason);
    }
    if e.is_go_away() && e.is_library() {
        // h2 itself found the bytes read are not HTTP/2 frames.
        let reason = e
            .reason()
            .map_or_else(|| e.to_string(), |r| r.description().to_string());
        return CallError::NotHttp2(reason);
    }
    let reason = e
        .reason()
        .map_or_else(|| e.to_string(), |r| format!("{r:?}"));
    CallError::Refused(reason)
}

/// One HTTP/2 connection to a gRPC server.
pub struct Channel {
    send: SendRequest<Bytes>,
}

impl Channel {
    /// Starts HTTP/2 on `stream`; the connection is driven by a task on the current
    /// tokio runtime, which ends with the runtime.
    pub async fn start(stream: UnixStream) -> Result<Channel, CallError> {
        let (send, connection) = h2::client::Builder::new()
            .handshake::<_, Bytes>(stream)
            .await
            .map_err(h2_error)?;
        tokio::spawn(async move {
            // Its failure reaches the call that is waiting, as that call's error.
            let _ = connection.await;
        });
        Ok(Channel { send })
    }

    /// Calls `/<service>/<method>` with `request` and decodes the reply.
    pub async fn unary<Q: prost::Message, A: prost::Message + Default>(
        &mut self,
        service: &str,
        method: &str,
        request: &Q,
    ) -> Result<A, CallError> {
        let mut send = self.send.clone().ready().await.map_err(h2_error)?;
        let head = Request::post(format!("http://localhost/{service}/{method}"))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(())
            .map_err(|e| CallError::NotGrpc(e.to_string()))?;
        let (reply, mut stream) = send.send_request(head, false).map_err(h2_error)?;
        stream.send_data(frame(request), true).map_err(h2_error)?;
        let reply = reply.await.map_err(h2_error)?;
        let (parts, mut body) = reply.into_parts();
        if parts.status != StatusCode::OK {
            return Err(CallError::NotGrpc(format!(
                "HTTP status {}",
                parts.status.as_u16()
            )));
        }
        // A call that fails before any reply has its status in the headers
        // ("trailers-only").
        if let Some(status) = grpc_status(&parts.headers)? {
            return Err(status);
        }
        let mut data = BytesMut::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.map_err(h2_error)?;
            let _ = body.flow_control().release_capacity(chunk.len());
            if data.len() + chunk.len() > MAX_REPLY {
                return Err(CallError::NotGrpc(format!("reply over {MAX_REPLY} bytes")));
            }
            data.extend_from_slice(&chunk);
        }
        let trailers = body.trailers().await.map_err(h2_error)?.unwrap_or_default();
        match grpc_status(&trailers)? {
            Some(status) => Err(status),
            None if trailers.contains_key("grpc-status") => unframe(&data),
            None => Err(CallError::NotGrpc("no grpc-status".into())),
        }
    }
}

/// The call's failure, if `headers` carry a grpc-status other than 0.
fn grpc_status(headers: &HeaderMap) -> Result<Option<CallError>, CallError> {
    let Some(value) = headers.get("grpc-status") else {
        return Ok(None);
    };
    let code: u32 = value
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| CallError::NotGrpc(format!("grpc-status {value:?}")))?;
    if code == 0 {
        return Ok(None);
    }
    let message = headers
        .get("grpc-message")
        .map(|m| percent_decode(m.as_bytes()))
        .unwrap_or_default();
    Ok(Some(CallError::Status { code, message }))
}

/// gRPC's length-prefixed message: not compressed, 4-byte big-endian length.
fn frame(message: &impl prost::Message) -> Bytes {
    let body = message.encode_to_vec();
    let mut out = Vec::with_capacity(5 + body.len());
    out.push(0);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out.into()
}

#[doc(hidden)]
pub fn unframe<A: prost::Message + Default>(data: &[u8]) -> Result<A, CallError> {
    let cut = || CallError::NotGrpc(format!("message of {} bytes cut short", data.len()));
    let (head, body) = (data.get(..5).ok_or_else(cut)?, &data[5..]);
    if head[0] != 0 {
        return Err(CallError::NotGrpc("compressed message".into()));
    }
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if body.len() != len {
        return Err(cut());
    }
    A::decode(body).map_err(|e| CallError::Decode(e.to_string()))
}

/// grpc-message is percent-encoded; what does not decode is kept as it is.
#[doc(hidden)]
pub fn percent_decode(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cri::StatusRequest;

    #[test]
    fn messages_are_framed_and_unframed() {
        let framed = frame(&StatusRequest { verbose: true });
        assert_eq!(&framed[..], [0, 0, 0, 0, 2, 0x08, 1]);
        let back: StatusRequest = unframe(&framed).unwrap();
        assert!(back.verbose);
        assert!(matches!(
            unframe::<StatusRequest>(&framed[..6]),
            Err(CallError::NotGrpc(_))
        ));
        assert!(matches!(
            unframe::<StatusRequest>(&[1, 0, 0, 0, 0]),
            Err(CallError::NotGrpc(_))
        ));
    }

    #[test]
    fn statuses_are_named_and_messages_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-status", "12".parse().unwrap());
        headers.insert(
            "grpc-message",
            "unknown service runtime.v1.RuntimeService%2e"
                .parse()
                .unwrap(),
        );
        let err = grpc_status(&headers).unwrap().unwrap();
        assert_eq!(
            err.to_string(),
            "gRPC status Unimplemented: unknown service runtime.v1.RuntimeService."
        );
        headers.insert("grpc-status", "0".parse().unwrap());
        assert!(grpc_status(&headers).unwrap().is_none());
        headers.insert("grpc-status", "x".parse().unwrap());
        assert!(grpc_status(&headers).is_err());
        assert_eq!(code_name(99), "code 99");
        assert_eq!(percent_decode(b"100%25 %zz"), "100% %zz");
    }
}
