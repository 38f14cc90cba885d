"""What the harness prints, and the processes it starts: each one logged to
WORKDIR/log/NAME.log, recorded in WORKDIR/pids and stopped by its PID; plus the free
ports the services listen on and the wait for each to answer HTTP.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def log(*args):
    print("peers:", *args, file=sys.stderr, flush=True)


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
