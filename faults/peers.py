"""Peers that misbehave, on 127.0.0.1 only: TCP and TLS servers that never answer,
trickle, reset, talk garbage, send without end or answer 429/500, and a DNS server
that answers with the wrong id or truncated. Each runs in threads of the campaign and
is stopped (every socket closed) when its `with` block ends."""

import os
import random
import socket
import ssl
import struct
import subprocess
import threading
import time

STATUS = ('{"kind":"Status","apiVersion":"v1","status":"Failure","message":"%s",'
          '"reason":"%s","code":%d}')


def _shut(sock):
    """Closes a socket another thread may be blocked on: shutdown wakes the blocked
    accept or recvfrom, which close alone does not (the port would stay bound)."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def make_pki(dir):
    """A CA and a server certificate for IP 127.0.0.1 it signed (openssl); returns
    (ca, cert, key) paths."""
    def sh(*args):
        subprocess.run(["openssl", *args], cwd=dir, check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    sh("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
       "-subj", "/CN=npd-faults-ca")
    sh("req", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(dir, "ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    sh("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
       "-CAcreateserial", "-out", "srv.crt", "-days", "2", "-extfile", "ext")
    return tuple(os.path.join(dir, n) for n in ("ca.crt", "srv.crt", "srv.key"))


class Peer:
    """A TCP server on 127.0.0.1 whose every connection gets `behave(conn, stop)`;
    with `tls` (cert, key) the handshake is done first unless `raw` says the
    behaviour happens before it."""

    def __init__(self, behave, tls=None, raw=False):
        self.behave, self.tls, self.raw = behave, tls, raw
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        _shut(self.sock)
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass
        self.thread.join(timeout=5)

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(30)
            if self.tls and not self.raw:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(*self.tls)
                conn = ctx.wrap_socket(conn, server_side=True)
                self.conns.append(conn)
            self.behave(conn, self.stop)
        except (OSError, ssl.SSLError, ValueError):
            pass


def read_request(conn):
    """Reads up to the end of the request's headers (or what came in 2s)."""
    data = b""
    conn.settimeout(2)
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, OSError):
        pass
    conn.settimeout(30)
    return data


def silent(conn, stop):
    """Accepts and never answers, reading nothing: a TLS client stalls mid-handshake."""
    stop.wait(60)


def hello_then_silent(conn, stop):
    """Reads the TLS ClientHello, then never answers."""
    conn.recv(4096)
    stop.wait(60)


def trickle(conn, stop):
    read_request(conn)
    body = b'{"kind":"Status","status":"Success","health":"true"}'
    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
              + str(len(body)).encode() + b"\r\n\r\n" + body)
    for i in range(len(answer)):
        if stop.wait(1):
            return
        conn.sendall(answer[i:i + 1])


def reset(conn, stop):
    conn.recv(1)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def garbage(conn, stop):
    conn.recv(4096)
    rng = random.Random(7)
    conn.sendall(bytes(rng.randrange(256) for _ in range(65536)))
    conn.close()


def huge(conn, stop):
    """A 200 whose chunked body never ends, sent as fast as the client reads, with a
    header line of 64 KiB first."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: "
                 + b"a" * 65536 + b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
    end = time.monotonic() + 15
    while not stop.is_set() and time.monotonic() < end:
        conn.sendall(chunk)


def status(code, reason):
    def answer(conn, stop):
        read_request(conn)
        body = (STATUS % (reason, reason, code)).encode()
        conn.sendall(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     b"Retry-After: 1\r\nContent-Length: %d\r\n\r\n%s"
                     % (code, reason.encode(), len(body), body))
        read_request(conn)
    return answer


def endless_list(conn, stop):
    """A 200 list that starts and never ends: an item every 50 ms."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    head = b'{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":['
    conn.sendall(b"%x\r\n%s\r\n" % (len(head), head))
    n = 0
    while not stop.wait(0.05):
        item = b'{"metadata":{"name":"p%d","namespace":"default"}},' % n
        conn.sendall(b"%x\r\n%s\r\n" % (len(item), item))
        n += 1


class Dns:
    """A DNS server on UDP and TCP at (addr, port) answering in `mode`: `wrong-id`
    (a well-formed answer to another query id), `truncated` (UDP: TC set and no
    answer; TCP: a message shorter than its length prefix), `silent` (no answer)."""

    def __init__(self, mode, addr="127.0.0.1", port=0):
        self.mode = mode
        self.stop = threading.Event()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((addr, port))
        self.port = self.udp.getsockname()[1]
        self.tcp = socket.socket()
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((addr, self.port))
        self.tcp.listen(16)
        self.threads = [threading.Thread(target=self._udp, daemon=True),
                        threading.Thread(target=self._tcp, daemon=True)]
        self.conns = []

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        _shut(self.udp)
        _shut(self.tcp)
        for c in self.conns:
            c.close()

    def _answer(self, query):
        qid = struct.unpack("!H", query[:2])[0]
        question = query[12:]
        if self.mode == "wrong-id":
            rr = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 30, 4) + bytes([127, 0, 0, 7])
            return struct.pack("!HHHHHH", qid ^ 0x5a5a, 0x8180, 1, 1, 0, 0) + question + rr
        return struct.pack("!HHHHHH", qid, 0x8380, 1, 0, 0, 0) + question

    def _udp(self):
        while not self.stop.is_set():
            try:
                query, peer = self.udp.recvfrom(4096)
            except OSError:
                return
            if self.mode != "silent" and len(query) > 12:
                self.udp.sendto(self._answer(query), peer)

    def _tcp(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._tcp_conn, args=(conn,), daemon=True).start()

    def _tcp_conn(self, conn):
        try:
            conn.settimeout(10)
            head = conn.recv(2)
            query = conn.recv(struct.unpack("!H", head)[0])
            if self.mode == "silent":
                self.stop.wait(30)
                return
            msg = self._answer(query)
            if self.mode == "truncated":
                conn.sendall(struct.pack("!H", len(msg) + 200) + msg[:20])
                self.stop.wait(30)
            else:
                conn.sendall(struct.pack("!H", len(msg)) + msg)
        except (OSError, struct.error):
            pass
