"""Peers the network and log suites measure against: a local HTTP(S) server, the
certificates it serves, and a generated Keystone-style access log. Each is a context
manager used as a suite fixture; each yields the values its suite's command lines
name as {placeholders}, and removes what it made."""

import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile

from suites import Skip

# A tiny HTTP/1.0 server answering 200 "ok" to every GET; with a certificate and key
# it speaks TLS. It prints its port, then serves until killed.
SERVER = r"""
import http.server, socketserver, ssl, sys

class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128

srv = Server(("127.0.0.1", 0), Ok)
if len(sys.argv) == 3:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"""


@contextlib.contextmanager
def _server(*tls_files):
    proc = subprocess.Popen([sys.executable, "-c", SERVER, *tls_files],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline().strip()
        if not line.isdigit():
            raise Skip("the local HTTP server did not start")
        yield line
    finally:
        proc.kill()
        proc.wait()


def _certificates(workdir: str) -> dict:
    """A CA and a server certificate for 127.0.0.1 signed by it (a self-signed
    certificate serving as its own CA is refused by strict TLS clients)."""
    if not shutil.which("openssl"):
        raise Skip("openssl not found on PATH: no certificates for the TLS peer")
    p = lambda name: os.path.join(workdir, name)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    with open(p("server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    steps = [
        ["openssl", "req", "-x509", *ec, "-keyout", p("ca.key"), "-out", p("ca.crt"),
         "-days", "2", "-subj", "/CN=npd-checks bench CA"],
        ["openssl", "req", *ec, "-keyout", p("server.key"), "-out", p("server.csr"),
         "-subj", "/CN=127.0.0.1"],
        ["openssl", "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"),
         "-CAkey", p("ca.key"), "-CAcreateserial", "-out", p("server.crt"), "-days", "2",
         "-extfile", p("server.ext")],
    ]
    for argv in steps:
        r = subprocess.run(argv, capture_output=True)
        if r.returncode != 0:
            raise Skip(f"openssl failed: {r.stderr.decode(errors='replace').strip()[:200]}")
    return {"ca": p("ca.crt"), "cert": p("server.crt"), "key": p("server.key")}


def http_server(opts):
    """A plain HTTP server on 127.0.0.1: {http_port}."""
    @contextlib.contextmanager
    def fixture():
        with _server() as port:
            yield {"http_port": port,
                   "setup": f"a Python HTTP server on 127.0.0.1:{port} answering 200 `ok`"}
    return fixture()


def https_server(opts):
    """A TLS server on 127.0.0.1 with a certificate from a local CA: {https_port},
    {ca_file}."""
    @contextlib.contextmanager
    def fixture():
        with tempfile.TemporaryDirectory(prefix="npd-bench-tls-") as workdir:
            files = _certificates(workdir)
            with _server(files["cert"], files["key"]) as port:
                yield {"https_port": port, "ca_file": files["ca"],
                       "setup": f"a Python HTTPS server on 127.0.0.1:{port} (P-256 certificate "
                                "from a CA made for the suite) answering 200 `ok`"}
    return fixture()


LOG_MIB = 1024


def keystone_log(opts):
    """LOG_MIB MiB of Keystone-style access log lines ({log_dir}/var/log/keystone.log):
    1 MiB of varied requests (about 1 in 50 a 401 on a token request; the last field
    the response time in seconds), repeated."""
    @contextlib.contextmanager
    def fixture():
        mib = 16 if opts.quick else LOG_MIB
        with tempfile.TemporaryDirectory(prefix="npd-bench-log-", dir="/var/tmp") as root:
            logs = os.path.join(root, "var", "log")
            os.makedirs(logs)
            path = os.path.join(logs, "keystone.log")
            rnd = random.Random(7)
            reqs = [("GET", "/v3/projects", 200), ("GET", "/v3/users/abc", 200),
                    ("POST", "/v3/auth/tokens", 201), ("GET", "/v3/auth/tokens", 200),
                    ("HEAD", "/v3/auth/tokens", 200), ("GET", "/v3/auth/tokens", 404),
                    ("POST", "/v3/auth/tokens", 401), ("POST", "/v2.0/tokens", 401),
                    ("GET", "/v3/domains", 500)]
            weights = [40, 20, 20, 8, 5, 3, 1, 1, 2]
            lines, size = [], 0
            while size < 1 << 20:
                m, u, s = rnd.choices(reqs, weights)[0]
                line = ('10.%d.%d.%d - - [23/Nov/2026:10:%02d:%02d +0000] "%s %s HTTP/1.1" '
                        '%d %d %.6f\n') % (rnd.randrange(256), rnd.randrange(256),
                                           rnd.randrange(256), rnd.randrange(60),
                                           rnd.randrange(60), m, u, s,
                                           rnd.randrange(100, 9000),
                                           rnd.lognormvariate(-2.5, 0.8))
                lines.append(line)
                size += len(line)
            block = "".join(lines).encode()
            with open(path, "wb") as f:
                for _ in range(mib):
                    f.write(block)
            with open(path, "rb") as f:  # into the page cache, for every command alike
                while f.read(1 << 24):
                    pass
            total = os.path.getsize(path)
            yield {"log_dir": root, "log_file": path,
                   "log_bytes": f"{total:,}",
                   "setup": f"{total:,} bytes ({mib} MiB) of Keystone-style access log, in "
                            "the page cache; npd-log reads them all as bytes appended since "
                            "its previous run (a fresh state and --from-start on every run)"}
    return fixture()
