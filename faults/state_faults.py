"""Faults of what a rule keeps between runs: a state dir that is full, read-only, or
holds corrupt and foreign files; and the logs npd-log follows, rotated or truncated
between and during runs."""

import os
import subprocess
import threading
import time

from campaign import one, worst
from runner import Case


def uses_wall_clock(rule):
    """Rules whose measurement reads the wall clock (npd-log's windows); the others
    measure on the monotonic clock or the kernel's own times."""
    return rule.plugin == "npd-log"


def _mount_tmpfs(ctx, size):
    d = ctx.tmpdir("tmpfs-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "faults", d],
                   check=True)
    return d


def _umount(d):
    subprocess.run(["umount", "-l", d], stderr=subprocess.DEVNULL)


def state_full(ctx, rules):
    """A state dir on a tmpfs with no byte left."""
    if not ctx.root:
        ctx.skip("state-full", "needs root to mount a tmpfs")
        return []
    out = []
    for rule in rules:
        root, state = ctx.host_root(), _mount_tmpfs(ctx, "64k")
        try:
            fd = os.open(os.path.join(state, "filler"), os.O_WRONLY | os.O_CREAT, 0o644)
            try:
                while os.write(fd, b"\0" * 4096):
                    pass
            except OSError:
                pass
            os.close(fd)
            out.append(one(ctx, Case(rule, host_root=root, state_dir=state, rounds=2),
                           "state-full", planted={"filler": None}))
        finally:
            _umount(state)
            ctx.drop(root)
    return out


def state_read_only(ctx, rules):
    """A state dir that turned read-only after a first run wrote to it."""
    out = []
    for rule in rules:
        root = ctx.host_root()
        state = _mount_tmpfs(ctx, "1m") if ctx.root else ctx.state_dir()
        try:
            first = one(ctx, Case(rule, host_root=root, state_dir=state), "state-read-only")
            if ctx.root:
                subprocess.run(["mount", "-o", "remount,ro", state], check=True)
            else:
                os.chmod(state, 0o555)
            then = one(ctx, Case(rule, host_root=root, state_dir=state, rounds=2),
                       "state-read-only")
            out.append(worst([first, then]))
        finally:
            if ctx.root:
                _umount(state)
            else:
                os.chmod(state, 0o755)
            ctx.drop(root)
    return out


def _plant(state, work):
    """Garbage in every file a first run left, and files no rule wrote."""
    planted = {}
    for name in os.listdir(state):
        path = os.path.join(state, name)
        if os.path.isfile(path) and not name.endswith(".lock"):
            data = b"{\"count\": 3, \"trunc" if name.endswith(".json") else b"\xff\xfe%s"
            with open(path, "wb") as f:
                f.write(data)
    outside = os.path.join(work, "outside.json")
    with open(outside, "wb") as f:
        f.write(b"{}")
    foreign = {
        "README": b"not ours\n",
        "foreign.json": b"[1, 2",
        ".npd-x.k.run.json.99999.tmp": b"{",
        "npd-x.k.run.json": b"\0\0\0\0",
    }
    for name, data in foreign.items():
        with open(os.path.join(state, name), "wb") as f:
            f.write(data)
        planted[name] = data
    os.mkdir(os.path.join(state, "sub.json"))
    link = os.path.join(state, "link.json")
    os.symlink(outside, link)
    return planted


def state_corrupt(ctx, rules):
    """A state dir whose files a first run wrote were then corrupted, beside foreign
    files, a directory and a symlink named like state."""
    out = []
    for rule in rules:
        root, state = ctx.host_root(), ctx.state_dir()
        first = one(ctx, Case(rule, host_root=root, state_dir=state), "state-corrupt")
        planted = _plant(state, ctx.work)
        then = one(ctx, Case(rule, host_root=root, state_dir=state, rounds=2),
                   "state-corrupt", planted=planted)
        out.append(worst([first, then]))
        ctx.drop(root)
        ctx.drop(state)
    return out


# A line each npd-log rule counts: an access log line (Apache's combined format with
# the response time last) carrying the statuses and paths the rules match.
LINES = [
    '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "POST /v3/auth/tokens HTTP/1.1" 401 120 {ms}',
    '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET /v3/auth/tokens HTTP/1.1" 404 120 {ms}',
    '10.0.0.1 - - [01/Jan/2025:00:00:00 +0000] "GET /v2.1/servers HTTP/1.1" 503 120 {ms}',
    '2025-01-01 00:00:00.000 1 INFO api "GET /v2.1 HTTP/1.1" status: 500 len: 1 time: 0.1',
]


def write_log(path, n, mode="a"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        for i in range(n):
            f.write(LINES[i % len(LINES)].format(ms=1000 + i * 37) + "\n")


def log_rotated(ctx, rules):
    """The rule's log grows, is rotated (renamed, a new one started), is truncated in
    place, then rotated and truncated over and over while the rule reads it."""
    out = []
    for rule in rules:
        root, state = ctx.host_root(), ctx.state_dir()
        log = os.path.join(root, rule.flag("--file").lstrip("/"))
        write_log(log, 200)
        cells = [one(ctx, Case(rule, host_root=root, state_dir=state), "log-rotated",
                     note="first")]
        write_log(log, 100)
        os.replace(log, log + ".1")
        write_log(log, 10)
        cells.append(one(ctx, Case(rule, host_root=root, state_dir=state), "log-rotated",
                         note="rotated"))
        write_log(log, 3, "w")
        cells.append(one(ctx, Case(rule, host_root=root, state_dir=state), "log-rotated",
                         note="truncated"))
        stop = threading.Event()
        churn = threading.Thread(target=_churn, args=(log, stop))
        churn.start()
        try:
            cells.append(one(ctx, Case(rule, host_root=root, state_dir=state, rounds=3),
                             "log-rotated", note="during"))
        finally:
            stop.set()
            churn.join()
        out.append(worst(cells))
        ctx.drop(root)
        ctx.drop(state)
    return out


def _churn(log, stop):
    n = 0
    while not stop.is_set():
        n += 1
        if n % 2:
            write_log(log, 50)
            os.replace(log, log + ".1")
            write_log(log, 5)
        else:
            write_log(log, 1, "w")
        time.sleep(0.002)
