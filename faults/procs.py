"""Processes: the campaign is a child subreaper, so every process a run leaves behind
becomes its child and can be seen, told apart and killed; the wrapper that runs one
case (reap.py) is one too, which attributes leftovers to the case that made them.
On exit, normal or by signal, every descendant is killed and reaped."""

import atexit
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36

_libc = ctypes.CDLL(None, use_errno=True)


def become_subreaper():
    """Orphaned descendants are reparented to this process instead of PID 1."""
    if _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def stat(pid):
    """(comm, state, ppid, pgid) of a process, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode("ascii", "replace")
    except OSError:
        return None
    comm = text[text.index("(") + 1:text.rindex(")")]
    rest = text[text.rindex(")") + 2:].split()
    return comm, rest[0], int(rest[1]), int(rest[2])


def children(of=None):
    """Pids whose parent is `of` (default: this process), with their stat."""
    of = of or os.getpid()
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = stat(int(name))
            if st and st[2] == of:
                out[int(name)] = st
    return out


def reap(pid):
    """Collects a child's exit status if it has one, without blocking."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def kill_descendants(keep=()):
    """SIGKILLs every child but `keep` (and, as orphans reach us, theirs) until none
    is left; zombies are reaped. A child stuck in the kernel dies once what holds it
    (a FUSE daemon) is gone, so the caller stops those first."""
    for _ in range(200):
        left = {p: s for p, s in children().items() if p not in keep}
        if not left:
            return
        for pid, (_, state, _, _) in left.items():
            if state != "Z":
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            reap(pid)
        os.sched_yield()
        import time
        time.sleep(0.01)


_cleanups = []


def on_exit(fn):
    """Runs `fn` when the campaign ends, however it ends (last registered first)."""
    _cleanups.append(fn)


def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # a cleanup that fails must not stop the others
            print(f"faults: cleanup {fn!r}: {e}", file=sys.stderr)
    kill_descendants()


def _on_signal(signum, _frame):
    # Raised in the main thread: finally blocks and atexit run, then we exit.
    raise SystemExit(128 + signum)


def install_handlers():
    atexit.register(_run_cleanups)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
