"""The venv of the OpenStack releases pinned in requirements.txt: built once per
content of that file and python version, under CACHE_DIR, and reused after.
"""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time

from processes import log

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")


def requirements_hash(python):
    h = hashlib.sha256()
    with open(REQUIREMENTS, "rb") as f:
        h.update(f.read())
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"],
        check=True, capture_output=True, text=True).stdout
    h.update(version.encode())
    return h.hexdigest()[:16]


def install(cache_dir):
    python = sys.executable
    os.makedirs(cache_dir, exist_ok=True)
    venv = os.path.join(cache_dir, "venv-" + requirements_hash(python))
    marker = os.path.join(venv, ".npd-checks-installed")
    # Several test binaries or runs may install at once: one installs, the others wait.
    with open(os.path.join(cache_dir, "install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(marker):
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        started = time.monotonic()
        log(f"installing the OpenStack services into {venv} (about 2.5 minutes)")
        subprocess.run([python, "-m", "venv", venv], check=True)
        pip = [os.path.join(venv, "bin", "python"), "-m", "pip"]
        subprocess.run(pip + ["install", "-q", "--disable-pip-version-check",
                              "-r", REQUIREMENTS], check=True)
        subprocess.run(pip + ["check", "--disable-pip-version-check"], check=True,
                       stdout=subprocess.DEVNULL)
        with open(marker, "w") as f:
            f.write("ok\n")
        log(f"installed in {time.monotonic() - started:.0f}s")
    return venv
