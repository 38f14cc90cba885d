"""A fixture host root built from copies of this machine's small /proc and /sys files
that the host rules read, and the ways a node breaks them: unreadable, empty,
truncated, enormous, garbage."""

import glob
import os
import random
import shutil
import stat

# The host files each plugin reads (under --host-root), as read on this machine.
FILES = {
    "npd-cpu": ["proc/loadavg", "proc/pressure/cpu", "proc/stat",
                "sys/devices/system/cpu/online"],
    "npd-memory": ["proc/meminfo", "proc/pressure/memory", "proc/vmstat"],
    "npd-limits": ["proc/loadavg", "proc/sys/fs/file-nr", "proc/sys/kernel/pid_max",
                   "proc/sys/kernel/threads-max", "proc/sys/net/netfilter/nf_conntrack_count",
                   "proc/sys/net/netfilter/nf_conntrack_max", "proc/1/net/dev"],
    "npd-network": ["proc/1/net/dev", "proc/1/net/route", "proc/1/net/ipv6_route",
                    "proc/sys/net/ipv4/ip_forward", "proc/sys/net/ipv6/conf/all/forwarding",
                    "sys/class/net/*/operstate", "sys/class/net/*/flags",
                    "sys/class/net/*/carrier", "sys/class/net/*/type",
                    "sys/class/net/*/ifindex"],
    "npd-listen": ["proc/1/net/tcp", "proc/1/net/tcp6", "proc/1/net/udp", "proc/1/net/udp6"],
    "npd-disk": ["proc/1/mountinfo"],
    "npd-file": [],
    "npd-process": ["proc/1/mountinfo"],
}

# The files a fault breaks, per plugin: the ones whose reading decides its verdict.
BREAK = {
    "npd-cpu": ["proc/loadavg", "proc/pressure/cpu", "sys/devices/system/cpu/online"],
    "npd-memory": ["proc/meminfo", "proc/pressure/memory", "proc/vmstat"],
    "npd-limits": ["proc/sys/fs/file-nr", "proc/sys/kernel/pid_max",
                   "proc/sys/net/netfilter/nf_conntrack_count", "proc/loadavg"],
    "npd-network": ["proc/1/net/route", "proc/sys/net/ipv4/ip_forward", "proc/1/net/dev"],
    "npd-listen": ["proc/1/net/tcp", "proc/1/net/tcp6"],
    "npd-disk": ["proc/1/mountinfo"],
    "npd-process": ["proc/1/stat"],
}

HOST_PLUGINS = set(BREAK)

ENORMOUS = 64 << 20


def _copy(src, dst):
    try:
        with open(src, "rb") as f:
            data = f.read(1 << 20)
    except OSError:
        return
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(data)


def build(root):
    """A host root holding copies of the files every host rule reads, some processes
    (/proc/<pid>/ of this machine's first few), a mount table naming only its "/",
    and the paths the shipped rules name."""
    for pattern in sorted({p for files in FILES.values() for p in files}):
        for src in glob.glob("/" + pattern):
            _copy(src, os.path.join(root, src.lstrip("/")))
    pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:20]
    for pid in pids:
        for name in ("stat", "statm", "cmdline", "comm", "status"):
            _copy(f"/proc/{pid}/{name}", os.path.join(root, f"proc/{pid}/{name}"))
    for name in ("stat", "uptime", "sys/kernel/random/boot_id"):
        _copy(f"/proc/{name}", os.path.join(root, "proc", name))
    with open(os.path.join(root, "proc/1/mountinfo"), "w") as f:
        f.write("1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n")
    for d in ("var/lib/kubelet", "var/log/apache2", "var/log/nova", "run", "etc"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    if not os.path.lexists(os.path.join(root, "var/run")):
        os.symlink("/run", os.path.join(root, "var/run"))
    with open(os.path.join(root, "etc/resolv.conf"), "w") as f:
        f.write("nameserver 127.0.0.1\n")
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
        for n in filenames:
            os.chmod(os.path.join(dirpath, n), 0o644)
    os.chmod(root, 0o755)


def fresh(parent, name="host"):
    root = os.path.join(parent, name)
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(root)
    build(root)
    return root


def targets(plugin, root):
    """The files of `root` a fault breaks for `plugin`."""
    return [p for p in BREAK.get(plugin, []) if os.path.isfile(os.path.join(root, p))]


def breaker(mode):
    """A function that breaks one file of a host root in `mode`."""
    def unreadable(path):
        os.chmod(path, 0)

    def empty(path):
        open(path, "wb").close()

    def truncated(path):
        data = open(path, "rb").read()
        with open(path, "wb") as f:
            f.write(data[:max(1, len(data) // 2 - 3)])

    def enormous(path):
        data = open(path, "rb").read() or b"0\n"
        with open(path, "wb") as f:
            chunk = data * max(1, (1 << 20) // len(data))
            written = 0
            while written < ENORMOUS:
                f.write(chunk)
                written += len(chunk)

    def garbage(path):
        rng = random.Random(path)
        data = bytes(rng.randrange(256) for _ in range(4096))
        with open(path, "wb") as f:
            f.write(b"%s%d\xff\xfe " + data + b"\n99999999999999999999999 -1 nan\n")

    return {"unreadable": unreadable, "empty": empty, "truncated": truncated,
            "enormous": enormous, "garbage": garbage}[mode]


def restore(root, rel):
    """Puts one file back as the fixture had it."""
    path = os.path.join(root, rel)
    if os.path.exists(path):
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
    if rel == "proc/1/mountinfo":
        with open(path, "w") as f:
            f.write("1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n")
    else:
        _copy("/" + rel, path)
