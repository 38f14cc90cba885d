"""The whole test cloud brought up: the services served by serve.py, the misbehaving
endpoints of the other catalog regions (a closed port, a hung API, an API answering
garbage), the Keystone catalog, the rows written by seed_*.py, and peers.json, which
tells the tests where everything is.
"""

import json
import os
import socket
import threading
import time

from keystone_api import (ADMIN_PASSWORD, APPCRED_SECRET, READER_PASSWORD, admin_token,
                          call, keystone_setup)
from processes import free_port, log, wait_http
from service_setup import clone_nova, configure, db_setup

HERE = os.path.dirname(os.path.abspath(__file__))


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
