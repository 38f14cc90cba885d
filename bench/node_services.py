"""Suites `cri` and `systemd`: the node services a plugin asks over a socket of their
own, and the fixtures that start them for the suite: a real containerd (npd-cri's
tests' configuration, plugins/cri/tests/util.rs) and a private system bus serving
npd-systemd's tests' mock of systemd (plugins/systemd/tests/mock_systemd.py, used
where it lies). Each fixture starts its processes in a session of their own, asks the
kernel to kill them should the harness die without unwinding, and stops them and
removes its temporary directory on the way out, an interrupt included.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from spec import Skip, Suite, plugin, program, shell

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTAINERD = "/usr/bin/containerd"
DBUS_DAEMON = "/usr/bin/dbus-daemon"
# Debian's python3-dbusmock installs for the system's python, as npd-systemd's tests use it.
PYTHON = "/usr/bin/python3"
MOCK_SYSTEMD = os.path.join(REPO, "plugins", "systemd", "tests", "mock_systemd.py")
START_TIMEOUT_S = 20

_LIBC = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _dies_with_us():
    """In the child before exec: SIGKILL when the harness dies, even by SIGKILL."""
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _start(argv, **kw) -> subprocess.Popen:
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_dies_with_us, **kw)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM (containerd removes its socket), SIGKILL if it lingers; always reaped."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for(ready, proc: subprocess.Popen, what: str, log: str = "") -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if proc.poll() is not None or time.monotonic() > deadline:
            last = ""
            if log and os.path.exists(log):
                with open(log, errors="replace") as f:
                    last = (f.read().strip().splitlines() or [""])[-1][:200]
            state = f"exited {proc.returncode}" if proc.poll() is not None else "no answer"
            raise Skip(f"{what} did not start ({state}{': ' + last if last else ''})")
        time.sleep(0.05)


def _serves(path: str) -> bool:
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.connect(path)
            return True
        except OSError:
            return False


# ---- cri ------------------------------------------------------------------------------

# npd-cri's tests' configuration: state under the temp dir, the snapshotters that need a
# kernel feature or a pool of their own off, no debug or metrics listener, CNI looked
# for in the temp dir (none there, so NetworkReady is false; npd-cri requires
# RuntimeReady only by default).
CONTAINERD_CONFIG = """version = 2
root = "{d}/root"
state = "{d}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", \
"io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "{d}/containerd.sock"
[ttrpc]
  address = "{d}/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/opt"
[plugins."io.containerd.grpc.v1.cri".cni]
  conf_dir = "{d}/cni/net.d"
  bin_dir = "{d}/cni/bin"
"""


def containerd(opts):
    """A real containerd with its CRI plugin, serving {cri_socket}, which is
    /containerd.sock under the host root {cri_root}."""
    @contextlib.contextmanager
    def fixture():
        if os.geteuid() != 0:
            raise Skip("containerd needs root")
        if not os.path.exists(CONTAINERD):
            raise Skip(f"no {CONTAINERD} (Debian package containerd)")
        version = subprocess.run([CONTAINERD, "--version"], capture_output=True,
                                 text=True).stdout.split()
        with tempfile.TemporaryDirectory(prefix="npd-bench-cri-") as d:
            with open(os.path.join(d, "config.toml"), "w") as f:
                f.write(CONTAINERD_CONFIG.format(d=d))
            sock, log = os.path.join(d, "containerd.sock"), os.path.join(d, "containerd.log")
            with open(log, "w") as out:
                proc = _start([CONTAINERD, "--config", f"{d}/config.toml", "--root",
                               f"{d}/root", "--state", f"{d}/state", "--address", sock],
                              stdout=out, stderr=out)
            try:
                _wait_for(lambda: _serves(sock), proc, "containerd", log)
                yield {"cri_root": d, "cri_socket": sock,
                       "setup": f"containerd {version[2] if len(version) > 2 else '?'} "
                                "(Debian's) as root, its CRI plugin on, its state and "
                                "socket in a temporary directory, no container running"}
            finally:
                _stop(proc)
    return fixture()


# ---- systemd --------------------------------------------------------------------------

# A system bus that lets anyone own and call anything: npd-systemd's tests' bus.
BUS_CONF = os.path.join(REPO, "plugins", "systemd", "tests", "system-bus.conf")


def _healthy_kubelet() -> dict:
    """kubelet.service as systemd shows it an hour after a clean start."""
    hour_ago = max(0, time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000 - 3_600_000_000)
    return {"kubelet.service": {
        "Unit": {"Id": "kubelet.service", "Names": ["kubelet.service"],
                 "LoadState": "loaded", "ActiveState": "active", "SubState": "running",
                 "InactiveExitTimestampMonotonic": hour_ago,
                 "ActiveExitTimestampMonotonic": 0,
                 "StateChangeTimestampMonotonic": hour_ago},
        "Service": {"Result": "success", "NRestarts": 0, "MainPID": 4242}}}


def _has_dbusmock() -> bool:
    return os.path.exists(PYTHON) and subprocess.run(
        [PYTHON, "-c", "import dbusmock"], capture_output=True).returncode == 0


def systemd_bus(opts):
    """A dbus-daemon listening at {bus_root}/run/dbus/system_bus_socket ({bus_address}),
    python-dbusmock serving systemd's manager on it with a healthy kubelet.service,
    whose object is {unit_path}."""
    @contextlib.contextmanager
    def fixture():
        if not os.path.exists(DBUS_DAEMON):
            raise Skip(f"no {DBUS_DAEMON} (Debian package dbus-daemon)")
        if not _has_dbusmock():
            raise Skip(f"{PYTHON} cannot import dbusmock (Debian package python3-dbusmock)")
        if not os.path.exists(MOCK_SYSTEMD):
            raise Skip(f"no {os.path.relpath(MOCK_SYSTEMD, REPO)}")
        with tempfile.TemporaryDirectory(prefix="npd-bench-systemd-") as root:
            os.makedirs(os.path.join(root, "run", "dbus"))
            sock = os.path.join(root, "run", "dbus", "system_bus_socket")
            address = f"unix:path={sock}"
            conf = os.path.join(root, "bus.conf")
            with open(BUS_CONF) as template, open(conf, "w") as f:
                f.write(template.read().replace("{socket}", sock))
            with contextlib.ExitStack() as stop:
                daemon = _start([DBUS_DAEMON, f"--config-file={conf}", "--print-address",
                                 "--nofork"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
                stop.callback(_stop, daemon)
                stop.callback(daemon.stdout.close)
                # It prints its address once it listens.
                if not daemon.stdout.readline().startswith("unix:path="):
                    raise Skip("dbus-daemon did not start")
                units, ready = os.path.join(root, "units.json"), os.path.join(root, "mock.ready")
                with open(units, "w") as f:
                    json.dump(_healthy_kubelet(), f)
                mock = _start([PYTHON, "-m", "dbusmock", "--system", "-t", MOCK_SYSTEMD,
                               "-p", json.dumps({"units": units, "ready": ready})],
                              env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": address},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                stop.callback(_stop, mock)
                _wait_for(lambda: os.path.exists(ready), mock, "the systemd mock")
                yield {"bus_root": root, "bus_address": address,
                       "unit_path": _load_unit(address, "kubelet.service"),
                       "setup": "a private dbus-daemon as the system bus, "
                                "python-dbusmock serving systemd's manager on it "
                                "(plugins/systemd/tests/mock_systemd.py) with "
                                "kubelet.service active and running"}
    return fixture()


def _load_unit(address: str, unit: str) -> str:
    """The unit's object path. systemd loads a unit when its path is first asked for;
    the mock makes the object on the first LoadUnit, made here once, untimed, as a
    shell check would have the path written in."""
    busctl = shutil.which("busctl")
    if not busctl:
        return "/org/freedesktop/systemd1/unit/kubelet_2eservice"
    r = subprocess.run([busctl, f"--address={address}", "call", "org.freedesktop.systemd1",
                        "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                        "LoadUnit", "s", unit], capture_output=True, text=True, timeout=10)
    words = r.stdout.split()
    if r.returncode != 0 or len(words) != 2 or words[0] != "o":
        raise Skip(f"LoadUnit {unit} on the systemd mock failed: "
                   f"{(r.stderr.strip() or r.stdout.strip())[:200]}")
    return words[1].strip('"')


SUITES = (
    Suite(
        name="cri",
        title="the container runtime: containerd over its socket",
        commands=(
            plugin("npd-cri", "--host-root", "{cri_root}", "--socket", "/containerd.sock"),
            program("ctr version", "ctr", "--address", "{cri_socket}", "version"),
        ),
        baseline="ctr version",
        fixtures=(containerd,),
        runs=500,
        budget_s=60,
        notes=("crictl, the CRI's own command-line client (cri-tools), is not packaged in "
               "Debian; containerd's package ships ctr, the check a shell script on a "
               "Debian node would use. ctr asks containerd's own API (Version), not the "
               "CRI: it shows that containerd answers, not that its CRI plugin says "
               "RuntimeReady, and it makes one call where npd-cri makes three (Version, "
               "Status, ListPodSandbox) on one HTTP/2 connection. Not the same question, "
               "so no ratio target: the figures show the cost of each.",),
    ),
    Suite(
        name="systemd",
        title="a systemd unit's state over the system bus",
        commands=(
            plugin("npd-systemd", "--host-root", "{bus_root}", "--unit", "kubelet.service"),
            shell("busctl | grep",
                  "busctl --address={bus_address} get-property org.freedesktop.systemd1 "
                  "{unit_path} org.freedesktop.systemd1.Unit ActiveState "
                  "| grep -qx 's \"active\"'",
                  requires=("busctl", "grep")),
        ),
        baseline="busctl | grep",
        fixtures=(systemd_bus,),
        runs=500,
        budget_s=60,
        notes=("systemctl cannot be pointed at another bus: it asks the systemd that is "
               "PID 1 and refuses on a machine not booted with it, whatever "
               "DBUS_SYSTEM_BUS_ADDRESS says, so the shell check asks the bus with busctl "
               "for the one property `systemctl is-active` prints, at a unit path written "
               "into the script. npd-systemd says Hello, loads the unit by name and reads "
               "all properties of its Unit and Service interfaces (three calls), and judges "
               "failed, stuck-activating and inactive. The mock sets only the properties "
               "npd-systemd reads, where systemd answers those calls with the unit's "
               "whole property set, so a ratio measured here would flatter npd-systemd "
               "against a real systemd: no ratio target.",),
    ),
)
