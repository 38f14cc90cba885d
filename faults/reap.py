"""Runs one case's command as a child subreaper and says what it left behind.

    reap.py BOUND_SECONDS STDOUT_MODE -- COMMAND ARGS...

STDOUT_MODE: `capture` (a pipe read to the end), `closed` (fd 1 closed in the
command), `broken` (a pipe whose read end is closed before the command starts: its
first write gets SIGPIPE or EPIPE). The command is SIGKILLed (its process group) if
it is still running after BOUND_SECONDS, a backstop that keeps the campaign moving.

Prints one JSON line: {"code", "signal", "ms", "stdout", "stderr", "killed",
"leftovers": [{"pid", "comm", "state"}]}, then kills the leftovers that can die,
and stays until the others (stuck in the kernel on a hung mount) are gone, reaping
them, so that they are never reparented past the campaign."""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procs  # noqa: E402


def main():
    bound, mode = float(sys.argv[1]), sys.argv[2]
    assert sys.argv[3] == "--"
    cmd = sys.argv[4:]
    procs.become_subreaper()
    stdout, pre, read_end = subprocess.PIPE, None, None
    if mode == "closed":
        stdout = subprocess.DEVNULL
        pre = lambda: os.close(1)  # noqa: E731
    elif mode == "broken":
        read_end, write_end = os.pipe()
        os.close(read_end)
        stdout = write_end
    start = time.monotonic()
    child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout,
                             stderr=subprocess.PIPE, preexec_fn=pre,
                             start_new_session=True)
    if mode == "broken":
        os.close(stdout)
    killed = False
    try:
        out, err = child.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        killed = True
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = child.communicate()
    ms = (time.monotonic() - start) * 1000
    code = child.returncode
    # Give orphans a moment to be reparented here (the kernel does it at exit).
    time.sleep(0.05)
    left = procs.children()
    result = {
        "code": code if code >= 0 else None,
        "signal": -code if code < 0 else None,
        "ms": round(ms),
        "stdout": (out or b"").decode("utf-8", "replace"),
        "stderr": (err or b"").decode("utf-8", "replace")[-2000:],
        "killed": killed,
        "leftovers": [{"pid": p, "comm": s[0], "state": s[1]} for p, s in left.items()],
    }
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    os.close(1)
    # Whatever can die, dies now; a helper stuck on a hung mount dies when the
    # campaign stops the mount's daemon, and is reaped here then.
    while procs.children():
        procs.kill_descendants()
        time.sleep(0.1)


if __name__ == "__main__":
    main()
