#!/usr/bin/env python3
"""Real Keystone, nova-api, neutron-server and cinder-api on 127.0.0.1, for the tests
of npd-openstack, plus a second nova-api with a cloud of two computes (fleet.py).

    peers.py install CACHE_DIR            -> prints the venv path (reused when the
                                             pinned requirements did not change)
    peers.py supervise VENV WORKDIR       -> starts and seeds the services, writes
                                             WORKDIR/peers.json, prints "READY <path>",
                                             then stops them all when stdin closes or on
                                             SIGTERM/SIGINT

The services are the PyPI releases pinned in requirements.txt, on SQLite with
oslo.messaging's fake:// transport, each WSGI app served by serve.py. No compute,
agent or volume daemon runs: seed_*.py write their rows through each service's own
object layer, as their heartbeats do. Every process started here is stopped by its
PID, also when setting up fails half way.

Only the standard library is used here, so that it runs on any python3 >= 3.11.
"""

import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")

ADMIN_PASSWORD = "admin-secret"
READER_PASSWORD = "reader-secret"
APPCRED_SECRET = "monitoring-secret"

# Long enough that a seeded "up" row stays up for a whole test run, short enough
# that rows aged by a day are down.
DOWN_TIME = 3600


def log(*args):
    print("peers:", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- install


def requirements_hash(python):
    h = hashlib.sha256()
    with open(REQUIREMENTS, "rb") as f:
        h.update(f.read())
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"],
        check=True, capture_output=True, text=True).stdout
    h.update(version.encode())
    return h.hexdigest()[:16]


def install(cache_dir):
    python = sys.executable
    os.makedirs(cache_dir, exist_ok=True)
    venv = os.path.join(cache_dir, "venv-" + requirements_hash(python))
    marker = os.path.join(venv, ".npd-checks-installed")
    # Several test binaries or runs may install at once: one installs, the others wait.
    with open(os.path.join(cache_dir, "install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(marker):
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        started = time.monotonic()
        log(f"installing the OpenStack services into {venv} (about 2.5 minutes)")
        subprocess.run([python, "-m", "venv", venv], check=True)
        pip = [os.path.join(venv, "bin", "python"), "-m", "pip"]
        subprocess.run(pip + ["install", "-q", "--disable-pip-version-check",
                              "-r", REQUIREMENTS], check=True)
        subprocess.run(pip + ["check", "--disable-pip-version-check"], check=True,
                       stdout=subprocess.DEVNULL)
        with open(marker, "w") as f:
            f.write("ok\n")
        log(f"installed in {time.monotonic() - started:.0f}s")
    return venv


# ---------------------------------------------------------------------------- processes


class Processes:
    """Every process started, stopped by PID: SIGTERM, then SIGKILL after 5 s."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = []
        self.lock = threading.Lock()

    def start(self, name, argv, env=None):
        logf = open(os.path.join(self.workdir, "log", name + ".log"), "ab")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                             stderr=subprocess.STDOUT, env=env, cwd=self.workdir)
        logf.close()
        with self.lock:
            self.procs.append((name, p))
        with open(os.path.join(self.workdir, "pids"), "a") as f:
            f.write(f"{p.pid} {name}\n")
        return p

    def run(self, name, argv, env=None):
        p = self.start(name, argv, env)
        rc = p.wait()
        if rc != 0:
            raise RuntimeError(f"{name} failed with exit code {rc}; see "
                               f"{self.workdir}/log/{name}.log")

    def stop_all(self):
        with self.lock:
            procs, self.procs = self.procs, []
        for _, p in procs:
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        end = time.monotonic() + 5
        for name, p in procs:
            try:
                p.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} (pid {p.pid}) ignored SIGTERM; killing it")
                p.kill()
                p.wait()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, name, deadline):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it serves
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{name} did not answer {url} in time")


# ---------------------------------------------------------------------------- keystone API


def call(method, url, body=None, token=None, want_token=False):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
        out = json.loads(raw) if raw else None
        if want_token:
            return resp.headers["X-Subject-Token"], out
        return out


def admin_token(ks):
    return call("POST", ks + "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}},
        want_token=True)


def keystone_setup(ks, urls, extra_regions):
    """Registers the services and endpoints, a reader-only user and an application
    credential; returns the ids the tests need."""
    token, body = admin_token(ks)
    project_id = body["token"]["project"]["id"]
    user_id = body["token"]["user"]["id"]
    services = {}
    for name, stype in [("nova", "compute"), ("neutron", "network"),
                        ("cinderv3", "volumev3")]:
        svc = call("POST", ks + "/services", {"service": {
            "name": name, "type": stype, "enabled": True}}, token)["service"]
        services[stype] = svc["id"]
    regions = {"RegionOne": urls}
    regions.update(extra_regions)
    for region, by_type in regions.items():
        if region != "RegionOne":
            call("POST", ks + "/regions", {"region": {"id": region}}, token)
        for stype, url in by_type.items():
            # public and internal: keystonemiddleware in the services asks for internal
            for interface in ("public", "internal"):
                call("POST", ks + "/endpoints", {"endpoint": {
                    "service_id": services[stype], "interface": interface,
                    "region_id": region, "url": url}}, token)
    reader = call("POST", ks + "/users", {"user": {
        "name": "watcher", "domain_id": "default", "password": READER_PASSWORD,
        "default_project_id": project_id}}, token)["user"]
    roles = call("GET", ks + "/roles?name=reader", token=token)["roles"]
    call("PUT", f"{ks}/projects/{project_id}/users/{reader['id']}/roles/{roles[0]['id']}",
         token=token)
    cred = call("POST", f"{ks}/users/{user_id}/application_credentials", {
        "application_credential": {"name": "monitoring", "secret": APPCRED_SECRET,
                                   "description": "npd-openstack tests"}},
        token)["application_credential"]
    return {"project_id": project_id, "user_id": user_id,
            "application_credential_id": cred["id"]}


# ---------------------------------------------------------------------------- misbehaving endpoints


def black_hole():
    """A port that accepts connections and never answers: a hung API."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    held = []

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            held.append(c)

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def garbage_server():
    """Answers every request 200 with a body that is not JSON: a proxy's error page."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    body = b"<html><body>Service Temporarily Unavailable</body></html>"

    def serve(c):
        try:
            c.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = c.recv(4096)
                if not chunk:
                    return
                data += chunk
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                      b"Content-Length: " + str(len(body)).encode() +
                      b"\r\nConnection: close\r\n\r\n" + body)
        except OSError:
            pass
        finally:
            c.close()

    def loop():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


# ---------------------------------------------------------------------------- configs


def authtoken_section(ks):
    return f"""[keystone_authtoken]
interface = public
www_authenticate_uri = {ks}
auth_url = {ks}
auth_type = password
username = admin
password = {ADMIN_PASSWORD}
user_domain_name = Default
project_name = admin
project_domain_name = Default
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def configure(venv, w, ports):
    ks = f"http://127.0.0.1:{ports['keystone']}/v3"
    write(f"{w}/keystone/keystone.conf", f"""[DEFAULT]
log_dir = {w}/log
[database]
connection = sqlite:///{w}/keystone/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = {w}/keystone/fernet-keys
[credential]
key_repository = {w}/keystone/credential-keys
[cache]
enabled = false
[identity]
password_hash_rounds = 4
""")
    # nova: the main cloud's, and the small cloud's (nova-pair, a copy of its
    # databases made before seeding, see clone_nova)
    for nova in ("nova", "nova-pair"):
        write(f"{w}/{nova}/nova.conf", f"""[DEFAULT]
host = ctl-1
transport_url = fake://
log_file = {w}/log/{nova}-api-app.log
state_path = {w}/{nova}
service_down_time = {DOWN_TIME}
rpc_response_timeout = 2
long_rpc_timeout = 2
[api]
auth_strategy = keystone
[api_database]
connection = sqlite:///{w}/{nova}/nova_api.db
[database]
connection = sqlite:///{w}/{nova}/nova.db
[oslo_concurrency]
lock_path = {w}/{nova}/locks
{authtoken_section(ks)}""")
        shutil.copy(f"{venv}/etc/nova/api-paste.ini", f"{w}/{nova}/api-paste.ini")
    write(f"{w}/neutron/neutron.conf", f"""[DEFAULT]
host = ctl-1
core_plugin = ml2
service_plugins =
auth_strategy = keystone
transport_url = fake://
log_file = {w}/log/neutron-api-app.log
api_paste_config = {venv}/etc/neutron/api-paste.ini
state_path = {w}/neutron
agent_down_time = {DOWN_TIME}
rpc_response_timeout = 2
[database]
connection = sqlite:///{w}/neutron/neutron.db
[oslo_concurrency]
lock_path = {w}/neutron/locks
{authtoken_section(ks)}""")
    write(f"{w}/neutron/plugins/ml2/ml2_conf.ini", """[ml2]
type_drivers = flat,vlan
tenant_network_types =
mechanism_drivers = openvswitch
[ml2_type_flat]
flat_networks = *
""")
    write(f"{w}/cinder/cinder.conf", f"""[DEFAULT]
host = ctl-1
transport_url = fake://
log_file = {w}/log/cinder-api-app.log
api_paste_config = {venv}/etc/cinder/api-paste.ini
state_path = {w}/cinder
service_down_time = {DOWN_TIME}
rpc_response_timeout = 2
auth_strategy = keystone
[database]
connection = sqlite:///{w}/cinder/cinder.db
[oslo_concurrency]
lock_path = {w}/cinder/locks
[coordination]
backend_url = file://{w}/cinder/coordination
{authtoken_section(ks)}""")
    return ks


def db_setup(venv, w, procs, ks_url):
    """The three groups are independent and CPU-bound: run them side by side."""
    b = f"{venv}/bin"
    py = f"{b}/python"
    km = [f"{b}/keystone-manage", "--config-file", f"{w}/keystone/keystone.conf"]
    nm = [f"{b}/nova-manage", "--config-file", f"{w}/nova/nova.conf"]
    neutron_cfg = ["--config-file", f"{w}/neutron/neutron.conf",
                   "--config-file", f"{w}/neutron/plugins/ml2/ml2_conf.ini"]

    def keystone():
        procs.run("ks-fernet", km + ["fernet_setup", "--keystone-user", "root",
                                     "--keystone-group", "root"])
        procs.run("ks-credential", km + ["credential_setup", "--keystone-user", "root",
                                         "--keystone-group", "root"])
        procs.run("ks-db-sync", km + ["db_sync"])
        procs.run("ks-bootstrap", km + [
            "bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
            "--bootstrap-username", "admin", "--bootstrap-project-name", "admin",
            "--bootstrap-role-name", "admin", "--bootstrap-service-name", "keystone",
            "--bootstrap-region-id", "RegionOne", "--bootstrap-public-url", ks_url,
            "--bootstrap-internal-url", ks_url])

    def nova():
        procs.run("nova-api-db", nm + ["api_db", "sync"])
        procs.run("nova-cell0", nm + ["cell_v2", "map_cell0", "--database_connection",
                                      f"sqlite:///{w}/nova/nova_cell0.db"])
        procs.run("nova-cell1", nm + ["cell_v2", "create_cell", "--name", "cell1",
                                      "--database_connection",
                                      f"sqlite:///{w}/nova/nova.db",
                                      "--transport-url", "fake://"])
        procs.run("nova-db", nm + ["db", "sync"])

    def neutron_and_cinder():
        # Neutron's migrations cannot ALTER constraints on SQLite: build the schema
        # from its models and mark it current, as neutron's own unit tests do.
        procs.run("neutron-schema", [py, "-c",
                                     "import sys, sqlalchemy as sa\n"
                                     "from neutron.db.migration.models import head\n"
                                     "head.get_metadata().create_all("
                                     "sa.create_engine(sys.argv[1]))",
                                     f"sqlite:///{w}/neutron/neutron.db"])
        procs.run("neutron-stamp", [f"{b}/neutron-db-manage"] + neutron_cfg +
                  ["stamp", "heads"])
        procs.run("cinder-db", [f"{b}/cinder-manage", "--config-file",
                                f"{w}/cinder/cinder.conf", "db", "sync"])

    errors = []

    def guarded(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(fn,))
               for fn in (keystone, nova, neutron_and_cinder)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def clone_nova(w):
    """A second nova of its own, the small cloud: nova's freshly made databases
    copied (seconds, where making them again costs half a minute of CPU), with the
    API database's cell mappings pointed at the copies."""
    for db in ("nova_api.db", "nova_cell0.db", "nova.db"):
        shutil.copy(f"{w}/nova/{db}", f"{w}/nova-pair/{db}")
    with sqlite3.connect(f"{w}/nova-pair/nova_api.db") as db:
        db.execute("UPDATE cell_mappings SET database_connection = "
                   "replace(database_connection, ?, ?)",
                   (f"sqlite:///{w}/nova/", f"sqlite:///{w}/nova-pair/"))
        left = db.execute("SELECT count(*) FROM cell_mappings WHERE "
                          "database_connection LIKE ?", (f"sqlite:///{w}/nova/%",))
        if left.fetchone()[0]:
            raise RuntimeError("nova-pair: a cell mapping still points at nova's database")
    db.close()


def serve(venv, w, procs, name, app, port, env_extra, app_args=()):
    env = dict(os.environ)
    env.update(env_extra)
    argv = [f"{venv}/bin/python", os.path.join(HERE, "serve.py"), app,
            "127.0.0.1", str(port)] + list(app_args)
    return procs.start(name, argv, env)


def up(venv, w, procs):
    for d in ("log", "keystone", "nova", "nova-pair", "neutron", "cinder"):
        os.makedirs(os.path.join(w, d), exist_ok=True)
    started = time.monotonic()
    ports = {n: free_port() for n in ("keystone", "nova", "nova-pair", "neutron", "cinder")}
    ks = configure(venv, w, ports)
    db_setup(venv, w, procs, ks)
    clone_nova(w)
    log(f"databases ready after {time.monotonic() - started:.0f}s")

    servers = {
        "keystone": serve(venv, w, procs, "keystone", "keystone.wsgi.api:application",
                          ports["keystone"],
                          {"OS_KEYSTONE_CONFIG_DIR": f"{w}/keystone"}),
        "nova": serve(venv, w, procs, "nova-api", "nova.wsgi.osapi_compute:application",
                      ports["nova"],
                      {"OS_NOVA_CONFIG_DIR": f"{w}/nova",
                       "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"}),
        "nova-pair": serve(venv, w, procs, "nova-pair-api",
                           "nova.wsgi.osapi_compute:application", ports["nova-pair"],
                           {"OS_NOVA_CONFIG_DIR": f"{w}/nova-pair",
                            "OS_NOVA_CONFIG_FILES": "api-paste.ini;nova.conf"}),
        "neutron": serve(venv, w, procs, "neutron-server", "neutron.wsgi.api:application",
                         ports["neutron"],
                         {"OS_NEUTRON_CONFIG_DIR": f"{w}/neutron",
                          "OS_NEUTRON_CONFIG_FILES":
                              "neutron.conf;plugins/ml2/ml2_conf.ini"}),
        "cinder": serve(venv, w, procs, "cinder-api", "cinder.wsgi.api:application",
                        ports["cinder"], {},
                        ["--config-file", f"{w}/cinder/cinder.conf"]),
    }
    deadline = time.monotonic() + 120
    for name, proc in servers.items():
        wait_http(f"http://127.0.0.1:{ports[name]}/", proc, name, deadline)
    log(f"services serving after {time.monotonic() - started:.0f}s")

    urls = {
        "compute": f"http://127.0.0.1:{ports['nova']}/v2.1",
        "network": f"http://127.0.0.1:{ports['neutron']}",
        "volumev3": f"http://127.0.0.1:{ports['cinder']}/v3/$(project_id)s",
    }
    closed = free_port()
    hole = black_hole()
    junk = garbage_server()
    extra = {
        # nova-api down, no network service, cinder-api hangs
        "RegionTwo": {"compute": f"http://127.0.0.1:{closed}/v2.1",
                      "volumev3": f"http://127.0.0.1:{hole}/v3/$(project_id)s"},
        # every API answers garbage
        "RegionThree": {"compute": f"http://127.0.0.1:{junk}/v2.1",
                        "network": f"http://127.0.0.1:{junk}",
                        "volumev3": f"http://127.0.0.1:{junk}/v3/$(project_id)s"},
        # the small cloud: two computes (fleet.PAIR)
        "RegionPair": {"compute": f"http://127.0.0.1:{ports['nova-pair']}/v2.1"},
    }
    ids = keystone_setup(ks, urls, extra)

    seeded = time.monotonic()
    # fleet.py is imported from this source tree: leave no __pycache__ in it.
    seed_env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    py = f"{venv}/bin/python"
    seeds = [
        procs.start("seed-nova", [py, os.path.join(HERE, "seed_nova.py"),
                                  f"{w}/nova/nova.conf", "main"], seed_env),
        procs.start("seed-nova-pair", [py, os.path.join(HERE, "seed_nova.py"),
                                       f"{w}/nova-pair/nova.conf", "pair"], seed_env),
        procs.start("seed-neutron", [py, os.path.join(HERE, "seed_neutron.py"),
                                     f"{w}/neutron/neutron.conf",
                                     f"{w}/neutron/plugins/ml2/ml2_conf.ini"], seed_env),
        procs.start("seed-cinder", [py, os.path.join(HERE, "seed_cinder.py"),
                                    f"{w}/cinder/cinder.conf"], seed_env),
    ]
    for p in seeds:
        if p.wait() != 0:
            raise RuntimeError(f"seeding failed (exit {p.returncode}); see {w}/log")
    log(f"seeded in {time.monotonic() - seeded:.0f}s; "
        f"up after {time.monotonic() - started:.0f}s")

    # The first authenticated call of each service sets up its keystonemiddleware
    # (about 2 s): pay it here rather than in the first test.
    token, _ = admin_token(ks)
    for url in (urls["compute"] + "/os-services",
                extra["RegionPair"]["compute"] + "/os-services",
                urls["network"] + "/v2.0/agents",
                urls["volumev3"].replace("$(project_id)s", ids["project_id"]) + "/os-services"):
        call("GET", url, token=token)

    info = {
        "auth_url": ks,
        "admin_password": ADMIN_PASSWORD,
        "reader_password": READER_PASSWORD,
        "application_credential_secret": APPCRED_SECRET,
        "nova_url": urls["compute"],
        "nova_pair_url": extra["RegionPair"]["compute"],
        "neutron_url": urls["network"],
        "cinder_url": urls["volumev3"].replace("$(project_id)s", ids["project_id"]),
        "closed_port": closed,
        "black_hole_port": hole,
        "garbage_port": junk,
        "logs": f"{w}/log",
    }
    info.update(ids)
    path = os.path.join(w, "peers.json")
    with open(path + ".tmp", "w") as f:
        json.dump(info, f, indent=1)
    os.rename(path + ".tmp", path)
    return path


def supervise(venv, workdir):
    os.makedirs(workdir, exist_ok=True)
    procs = Processes(workdir)
    os.makedirs(os.path.join(workdir, "log"), exist_ok=True)
    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watch_stdin():
        # The test binary holds our stdin: when it exits, for whatever reason, the
        # pipe closes and the services are stopped.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    ok = False
    try:
        try:
            path = up(venv, workdir, procs)
        except Exception as e:  # noqa: BLE001 - any failure stops what was started
            print(f"FAILED {e}", flush=True)
            return 1
        print(f"READY {path}", flush=True)
        stop.wait()
        ok = True
        return 0
    finally:
        started = time.monotonic()
        procs.stop_all()
        log(f"stopped in {time.monotonic() - started:.1f}s")
        # A failed start keeps its logs for the person reading the failure.
        if ok and not os.environ.get("NPD_CHECKS_KEEP_PEERS"):
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    if len(argv) == 3 and argv[1] == "install":
        print(install(argv[2]), flush=True)
        return 0
    if len(argv) == 4 and argv[1] == "supervise":
        return supervise(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
