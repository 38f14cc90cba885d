"""Fixture of the process suite: thousands of `sleep` processes kept alive while it runs,
after a look at every limit that could refuse them (pid_max, threads-max, ulimit -u, the
cgroup's pids.max), so that a machine without room skips the suite instead of failing."""

import contextlib
import os
import resource
import statistics

from engine import HarnessError, many_processes
from spec import Skip


def _process_count() -> int:
    return sum(1 for d in os.listdir("/proc") if d.isdigit())


def _task_count() -> int:
    # /proc/loadavg: "0.00 0.01 0.05 1/123 4567" -> 123 scheduling entities (threads)
    with open("/proc/loadavg") as f:
        return int(f.read().split()[3].split("/")[1])


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return None if text == "max" else int(text)


def _pid_room(want: int) -> None:
    """Raises Skip unless `want` more processes fit under every limit that applies."""
    margin = 200
    tasks = _task_count()
    pid_max = _read_int("/proc/sys/kernel/pid_max")
    threads_max = _read_int("/proc/sys/kernel/threads-max")
    for label, limit in (("kernel.pid_max", pid_max), ("kernel.threads-max", threads_max)):
        if limit is not None and tasks + want + margin > limit:
            raise Skip(f"{label} is {limit} with {tasks} tasks running: no room for {want} more")
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    if os.geteuid() != 0 and soft != resource.RLIM_INFINITY:
        mine = sum(1 for d in os.listdir("/proc")
                   if d.isdigit() and _owner(d) == os.geteuid())
        if mine + want + margin > soft:
            raise Skip(f"ulimit -u is {soft} with {mine} processes of this user running: "
                       f"no room for {want} more")
    # cgroup pids controller (v2 unified path, or v1 pids hierarchy)
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            base = {"": "/sys/fs/cgroup", "pids": "/sys/fs/cgroup/pids"}.get(controllers)
            if base is None:
                continue
            limit = _read_int(f"{base}{path}/pids.max")
            current = _read_int(f"{base}{path}/pids.current")
            if limit is not None and current is not None and current + want + margin > limit:
                raise Skip(f"cgroup pids.max is {limit} with {current} in use: "
                           f"no room for {want} more")


def _owner(pid: str) -> int:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return -1


def sleepers(opts):
    """opts.procs `sleep 600` processes for the duration of the suite. The processes on
    the machine are counted after every round (other work may start or end some), and
    the count goes to the report ("setup") and to target contexts ("processes")."""
    count = opts.procs

    @contextlib.contextmanager
    def fixture():
        _pid_room(count)
        sleep = "/bin/sleep" if os.access("/bin/sleep", os.X_OK) else "/usr/bin/sleep"
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(many_processes(opts.helper, count, sleep, ["sleep", "600"]))
            except HarnessError as e:
                raise Skip(str(e)) from None
            counts = [_process_count()]
            info = {"after_round": lambda: counts.append(_process_count())}
            yield info
            counts.append(_process_count())
            med, lo, hi = statistics.median(counts), min(counts), max(counts)
            info["setup"] = (f"{count:,} `sleep 600` processes started for this suite; "
                             f"processes on the machine, counted after every round: median "
                             f"{med:,.0f}, range {lo:,}–{hi:,}")
            steady = hi - lo <= 0.05 * med
            info["processes"] = f"{med:,.0f}" if steady else f"median {med:,.0f}, {lo:,}–{hi:,}"
    return fixture()
