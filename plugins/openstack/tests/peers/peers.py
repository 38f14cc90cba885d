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

# This file is the command line; what it runs lives beside it: pinned_venv.py (the
# install), processes.py (every process started, stopped by PID), service_setup.py
# (configuration files and databases), keystone_api.py (the accounts and the catalog)
# and cloud.py (bringing it all up and writing peers.json).

import os
import shutil
import signal
import sys
import threading
import time

# The modules beside this script are imported from the source tree: leave no
# __pycache__ in it.
sys.dont_write_bytecode = True

from cloud import up  # noqa: E402 - after the bytecode switch above
from pinned_venv import install  # noqa: E402
from processes import Processes, log  # noqa: E402


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
