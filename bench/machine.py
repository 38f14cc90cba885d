"""What a benchmark run was measured on: the machine, the source revision and the npd-*
binaries (size, static or not). Read-only probes; nothing here is timed."""

import contextlib
import datetime
import os
import platform
import shutil
import subprocess


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory() -> str:
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


def load() -> str:
    """The 1-minute load average, as text."""
    return f"{os.getloadavg()[0]:.2f}"


def info() -> dict:
    return {
        "nproc": len(os.sched_getaffinity(0)),   # what `nproc` prints
        "cpu": _cpu_model(),
        "kernel": f"{platform.system()} {platform.release()}",
        "memory": _memory(),
        "python": platform.python_version(),
        "load_start": load(),
        "load_end": "",
    }


def revision(repo: str) -> str:
    """The checked-out commit, and whether tracked files differ from it ('' without git)."""
    if not shutil.which("git"):
        return ""
    try:
        head = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if head.returncode != 0:
        return ""
    return head.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def binaries(bin_dir: str) -> list[dict]:
    """Every npd-* executable in bin_dir: name, bytes, linking (from `file`), built (mtime)."""
    out = []
    try:
        names = sorted(os.listdir(bin_dir))
    except OSError:
        return out
    for name in names:
        path = os.path.join(bin_dir, name)
        if not name.startswith("npd-") or "." in name:
            continue   # cargo also leaves npd-*.d dependency files here
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            continue
        st = os.stat(path)
        built = datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc)
        out.append({"name": name, "bytes": st.st_size, "linking": _linking(path),
                    "built": built.strftime("%Y-%m-%d %H:%M UTC")})
    return out


def _linking(path: str) -> str:
    if not shutil.which("file"):
        return "unknown (`file` is not installed)"
    try:
        desc = subprocess.run(["file", "-bL", path], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (`file` failed)"
    for key in ("static-pie linked", "statically linked", "dynamically linked"):
        if key in desc:
            stripped = ("not stripped" if "not stripped" in desc
                        else "stripped" if "stripped" in desc else "")
            detail = f"{key}, {stripped}" if stripped else key
            return f"{'static' if 'static' in key else 'dynamic'} ({detail})"
    return desc.strip()[:80] or "unknown"
