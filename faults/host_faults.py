"""Faults of the host (broken /proc and /sys files in a fixture host root, a hung
mount, processes that vanish mid-scan, logs rotated under the reader, a clock that
jumps back) and of the binary itself (SIGPIPE, stdout closed, no HOST_ROOT or
NODE_NAME). Each is a function (ctx, rules) -> table cells, applied to the rules it
concerns."""

import os
import subprocess
import sys
import time

import host
import state_faults
from campaign import blind_exit_1, one, worst
from runner import Case, replace_flag


def baseline(ctx, rules):
    """Every rule on the intact fixture: the control row, and the answer a broken
    file's run is compared with (a blind check must not answer 1 where this did not)."""
    out = []
    for rule in rules:
        root, state = ctx.host_root(), ctx.state_dir()
        r = one(ctx, Case(rule, host_root=root, state_dir=state), "baseline")
        ctx.baseline[rule.id] = r.code
        out.append(r)
        ctx.drop(root)
        ctx.drop(state)
    return out


def file_fault(mode):
    """Each file the rule's verdict rests on broken in `mode`, one at a time."""
    def run(ctx, rules):
        out = []
        user = ctx.nobody if mode == "unreadable" else None
        if mode == "unreadable" and not user:
            ctx.skip("file-unreadable", "not root: the runs keep the campaign's user")
        for rule in rules:
            root = ctx.host_root()
            cells = []
            for rel in host.targets(rule.plugin, root):
                state = ctx.state_dir()
                host.breaker(mode)(os.path.join(root, rel))
                extra = blind_exit_1(ctx, rule) if mode != "truncated" else None
                r = one(ctx, Case(rule, host_root=root, state_dir=state, user=user),
                        f"file-{mode}", extra=extra, note=rel)
                cells.append(r)
                host.restore(root, rel)
                ctx.drop(state)
            ctx.drop(root)
            if cells:
                out.append(worst(cells))
        return out
    return run


def hung_mount(ctx, rules):
    """A FUSE mount that never answers, where the disk rules stat and the file rule
    looks; several rounds with one state dir: at most one stuck helper per mount."""
    why = _fuse_missing(ctx)
    if why:
        ctx.skip("hung-mount", why)
        return []
    root, state = ctx.host_root(), ctx.state_dir()
    points = ["var/lib/kubelet", "run"]
    daemons = []
    out = []
    try:
        for p in points:
            daemons.append(_hangfs(os.path.join(root, p)))
        with open(os.path.join(root, "proc/1/mountinfo"), "a") as f:
            for i, p in enumerate(points):
                f.write(f"{90 + i} 1 0:{90 + i} / /{p} rw,nosuid - fuse.hangfs hangfs rw\n")
        stuck = 0
        for rule in rules:
            r = one(ctx, Case(rule, host_root=root, state_dir=state, rounds=3), "hung-mount",
                    stuck_allowed=len(points))
            stuck += len(r.leftovers)
            out.append(r)
        if stuck > len(points):
            for r in out:
                if r.leftovers:
                    r.problems.append(f"{stuck} stuck helpers in all for {len(points)} hung mounts")
    finally:
        for d in daemons:
            d.kill()
            d.wait()
        for p in points:
            subprocess.run(["umount", "-l", os.path.join(root, p)], stderr=subprocess.DEVNULL)
        import runner
        runner.wait_wrappers()
        ctx.drop(root)
        ctx.drop(state)
    return out


HANGFS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      "tests", "fixtures", "hangfs.py")


def _fuse_missing(ctx):
    if not ctx.root:
        return "needs root to mount FUSE"
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse"
    probe = subprocess.run(["/usr/bin/python3", "-c", "import fusepy"],
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        return "no python3-fusepy (apt-get install python3-fusepy fuse3)"
    return None


def _hangfs(point):
    os.makedirs(point, exist_ok=True)
    for entry in os.listdir(point):
        os.remove(os.path.join(point, entry)) if not os.path.isdir(
            os.path.join(point, entry)) else None
    d = subprocess.Popen(["/usr/bin/python3", HANGFS, point], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        with open("/proc/self/mountinfo") as f:
            if f" {point} " in f.read():
                return d
        time.sleep(0.05)
    d.kill()
    d.wait()
    raise RuntimeError(f"hangfs did not mount on {point}")


CHURN = r"""
import os, sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
"""


def process_churn(ctx, rules):
    """npd-process on this machine's /proc while processes start and exit by the
    hundred: entries vanish between listing and reading."""
    out = []
    for rule in rules:
        state = ctx.state_dir()
        churn = [subprocess.Popen([sys.executable, "-c", CHURN, "20"]) for _ in range(2)]
        try:
            out.append(one(ctx, Case(rule, host_root="/", state_dir=state, rounds=3),
                           "process-churn"))
        finally:
            for c in churn:
                c.kill()
                c.wait()
        ctx.drop(state)
    return out


def stdio_fault(mode):
    """The plugin exec'd directly with its stdout a pipe nobody reads (`broken`) or
    closed: it must still exit 0/1/2 in time, not die of SIGPIPE or panic."""
    def run(ctx, rules):
        out = []
        root = ctx.host_root()
        for rule in rules:
            state = ctx.state_dir()
            out.append(one(ctx, Case(rule, host_root=root, state_dir=state, stdout=mode),
                           "sigpipe" if mode == "broken" else "stdout-closed"))
            ctx.drop(state)
        ctx.drop(root)
        return out
    return run


def no_env(ctx, rules):
    """No HOST_ROOT and no NODE_NAME in the environment: the host is this machine's /,
    the node name unknown."""
    out = []
    for rule in rules:
        state = ctx.state_dir()
        out.append(one(ctx, Case(rule, state_dir=state, unset=("HOST_ROOT", "NODE_NAME")),
                       "no-env"))
        ctx.drop(state)
    return out


def clock_back(ctx, rules):
    """The wall clock read now, then an hour earlier, then a day earlier, with one
    state dir: state written in the future must not break the rule."""
    out = []
    now = int(time.time() * 1000)
    for rule in rules:
        root, state = ctx.host_root(), ctx.state_dir()
        cells = []
        log = rule.flag("--file")
        for back in (0, 3600_000, 86400_000):
            if log:
                # Lines to count in each run: the window is read on this clock.
                state_faults.write_log(os.path.join(root, log.lstrip("/")), 40)
            args = replace_flag(rule.args, "--test-wall-clock", str(now - back))
            cells.append(one(ctx, Case(rule, args=args, host_root=root, state_dir=state),
                             "clock-back", note=f"-{back // 1000}s"))
        out.append(worst(cells))
        ctx.drop(root)
        ctx.drop(state)
    return out
