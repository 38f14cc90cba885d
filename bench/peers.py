"""Peers the network and log suites measure against: a local HTTP(S) server, the
certificates it serves, a DNS server, and a generated Keystone-style access log. Each is a context
manager used as a suite fixture; each yields the values its suite's command lines
name as {placeholders}, and removes what it made."""

import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile

from spec import Skip

# What every local HTTP server script starts with: a quiet handler base that answers
# with a body, and serve(handler), which listens on 127.0.0.1 (TLS with a certificate
# and key as its two arguments), prints its port and serves until killed.
SERVER_BASE = r"""
import http.server, socketserver, ssl, sys

class Quiet(http.server.BaseHTTPRequestHandler):
    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 128

def serve(handler):
    srv = Server(("127.0.0.1", 0), handler)
    if len(sys.argv) == 3:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[1], sys.argv[2])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
"""

# A tiny HTTP/1.0 server answering 200 "ok" to every GET.
SERVER = SERVER_BASE + r"""
class Ok(Quiet):
    def do_GET(self):
        self.answer(200, b"ok\n")

serve(Ok)
"""


@contextlib.contextmanager
def _server(*tls_files, script=SERVER):
    """Runs a server script that prints its port, then serves; yields the port."""
    proc = subprocess.Popen([sys.executable, "-c", script, *tls_files],
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


# A DNS server answering every A question with one address (TEST-NET-1, never
# contacted) and every other question with no records; it binds the address and port
# given, prints the port, then serves until killed.
DNS_SERVER = r"""
import socket, struct, sys

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((sys.argv[1], int(sys.argv[2])))
print(sock.getsockname()[1], flush=True)
while True:
    query, peer = sock.recvfrom(4096)
    if len(query) < 17:
        continue
    end = 12
    while end < len(query) and query[end]:
        end += 1 + query[end]
    question = query[12:end + 5]
    qtype = struct.unpack("!H", query[end + 1:end + 3])[0] if end + 3 <= len(query) else 0
    answer = b""
    if qtype == 1:
        answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 30, 4) + bytes([192, 0, 2, 10])
    header = query[:2] + struct.pack("!HHHHH", 0x8580, 1, 1 if answer else 0, 0, 0)
    sock.sendto(header + question + answer, peer)
"""

# An address of the loopback range that nothing else uses, so that the DNS server can
# take port 53 there (a resolv.conf names no port).
DNS_ADDRESS = "127.83.68.53"


def dns_server(opts):
    """A DNS server on {dns_address} port {dns_port}: 53 when it may bind it (as root),
    so that a resolv.conf can name it; otherwise any free port on 127.0.0.1."""
    @contextlib.contextmanager
    def fixture():
        for address, port in ((DNS_ADDRESS, "53"), ("127.0.0.1", "0")):
            proc = subprocess.Popen([sys.executable, "-c", DNS_SERVER, address, port],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            line = proc.stdout.readline().strip()
            if line.isdigit():
                break
            proc.kill()
            proc.wait()
        else:
            raise Skip("the local DNS server did not start")
        try:
            yield {"dns_address": address, "dns_port": line}
        finally:
            proc.kill()
            proc.wait()
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


OPENSTACK_PEERS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                               "plugins", "openstack", "tests", "peers", "peers.py")


def openstack(opts):
    """Real Keystone and nova-api (with neutron and cinder) on 127.0.0.1, as npd-openstack's
    tests run them (plugins/openstack/tests/peers): {os_config} (a clouds.yaml with cloud
    `pw`), {auth_url}, {nova_url}. The venv is the tests' own, beside the binaries'
    target dir, installed on first use (about 2.5 minutes)."""
    @contextlib.contextmanager
    def fixture():
        import json
        import select
        cache = os.path.join(os.path.dirname(os.path.dirname(opts.bin_dir)), "openstack-peers")
        r = subprocess.run([sys.executable, OPENSTACK_PEERS, "install", cache],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise Skip("the OpenStack services could not be installed: "
                       + (r.stderr.strip().splitlines() or ["?"])[-1][:200])
        venv = r.stdout.strip().splitlines()[-1]
        with tempfile.TemporaryDirectory(prefix="npd-bench-openstack-") as workdir:
            proc = subprocess.Popen([sys.executable, OPENSTACK_PEERS, "supervise", venv,
                                     os.path.join(workdir, "peers")],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            try:
                ready, _, _ = select.select([proc.stdout], [], [], 600)
                line = proc.stdout.readline().strip() if ready else ""
                if not line.startswith("READY "):
                    raise Skip(f"the OpenStack services did not start ({line or 'no answer'})")
                with open(line[len("READY "):]) as f:
                    info = json.load(f)
                auth_url = info["auth_url"].rstrip("/")
                clouds = os.path.join(workdir, "clouds.yaml")
                with open(clouds, "w") as f:
                    f.write("clouds:\n  pw:\n    auth:\n"
                            f"      auth_url: {auth_url.removesuffix('/v3')}\n"
                            "      username: admin\n"
                            f"      password: \"{info['admin_password']}\"\n"
                            "      project_name: admin\n"
                            "      user_domain_name: Default\n"
                            "      project_domain_name: Default\n"
                            "    region_name: RegionOne\n    interface: public\n")
                yield {"os_config": clouds, "auth_url": auth_url, "nova_url": info["nova_url"],
                       "admin_password": info["admin_password"],
                       "setup": "Keystone 30, nova-api 34, neutron-server 29 and cinder-api 29 "
                                "from PyPI on 127.0.0.1 (SQLite, fake:// messaging), seeded "
                                "with an up nova-compute on host node-up"}
            finally:
                proc.stdin.close()  # the supervisor stops every service by PID
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    return fixture()
