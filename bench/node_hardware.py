"""Suites `gpu` and `maintenance`: the node's hardware and its cloud's notices, with the
fixtures they judge: a GPU node's PCI bus, driver directory and kernel log as a fixture
tree (no GPU is needed, as in npd-gpu's tests), and an instance metadata service on
127.0.0.1 answering as AWS's does on a node with no event pending (nothing is ever sent
to a link-local or cloud address).
"""

import contextlib
import os
import tempfile

import peers
from spec import Suite, plugin, shell

GPUS = 8
OTHER_PCI_FUNCTIONS = 60
KERNEL_LOG_RECORDS = 5000


def _write(root: str, path: str, text: str) -> None:
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def _gpu_tree(root: str) -> None:
    """An 8-GPU node as npd-gpu's tests write one: NVIDIA 3D controllers bound to the
    driver and listed by it, other vendors' functions beside them, and a kernel log of
    records /dev/kmsg's way with a few XIDs among them."""
    _write(root, "proc/sys/kernel/random/boot_id", "b007-0001\n")
    _write(root, "proc/uptime", "86400.00 100.00\n")
    devices = "sys/bus/pci/devices"
    for i in range(OTHER_PCI_FUNCTIONS):
        addr = f"0000:00:{i // 8:02x}.{i % 8}"
        _write(root, f"{devices}/{addr}/vendor", "0x8086\n")
        _write(root, f"{devices}/{addr}/class", "0x060400\n")
    os.makedirs(os.path.join(root, "sys/bus/pci/drivers/nvidia"))
    for i in range(GPUS):
        addr = f"0000:{0x18 + 0x10 * i:02x}:00.0"
        _write(root, f"{devices}/{addr}/vendor", "0x10de\n")
        _write(root, f"{devices}/{addr}/class", "0x030200\n")
        os.symlink("../../../bus/pci/drivers/nvidia",
                   os.path.join(root, devices, addr, "driver"))
        _write(root, f"proc/driver/nvidia/gpus/{addr}/information",
               f"Model: \t\t NVIDIA H100 80GB HBM3\nBus Location: \t {addr}\n")
    records = []
    for seq in range(1, KERNEL_LOG_RECORDS + 1):
        if seq % 1000 == 0:
            message = f"NVRM: Xid (PCI:0000:18:00): 13, pid={seq}, name=python3, Graphics Exception"
        else:
            message = f"eth0: renamed from veth{seq:05d} ({seq} packets)"
        records.append(f"6,{seq},{seq * 1000},-;{message}\n SUBSYSTEM=net\n")
    _write(root, "dev/kmsg", "".join(records))


def gpu_node(opts):
    """A fixture host root {gpu_root} with 8 GPUs, their driver and a kernel log."""
    @contextlib.contextmanager
    def fixture():
        with tempfile.TemporaryDirectory(prefix="npd-bench-gpu-") as root:
            _gpu_tree(root)
            yield {"gpu_root": root,
                   "setup": f"a fixture host root: {GPUS} NVIDIA GPUs and "
                            f"{OTHER_PCI_FUNCTIONS} other PCI functions in sysfs, the "
                            f"driver listing the GPUs, a kernel log of "
                            f"{KERNEL_LOG_RECORDS:,} records with 5 XIDs"}
    return fixture()


# AWS's instance metadata service (IMDSv2) on a node with nothing pending: a token for
# a PUT, an empty list of scheduled events, 404 for a spot action or a rebalance.
IMDS = peers.SERVER_BASE + r"""
class Imds(Quiet):
    def do_PUT(self):
        if self.path == "/latest/api/token":
            self.answer(200, b"AQAEAbench-token==")
        else:
            self.answer(404, b"")
    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != "AQAEAbench-token==":
            self.answer(401, b"")
        elif self.path == "/latest/meta-data/events/maintenance/scheduled":
            self.answer(200, b"[]")
        else:
            self.answer(404, b"")

serve(Imds)
"""


def imds(opts):
    """An IMDSv2 look-alike on 127.0.0.1: {imds_url}."""
    @contextlib.contextmanager
    def fixture():
        with peers._server(script=IMDS) as port:
            yield {"imds_url": f"http://127.0.0.1:{port}",
                   "setup": f"a Python HTTP server on 127.0.0.1:{port} answering as "
                            "AWS's IMDSv2 with no event pending"}
    return fixture()


SUITES = (
    Suite(
        name="gpu",
        title="NVIDIA GPUs on the bus and in the driver; XIDs in the kernel log",
        commands=(
            plugin("npd-gpu", "--host-root", "{gpu_root}", "--check", "count",
                   "--expected-gpus", "8", name="npd-gpu count"),
            shell("grep | wc count",
                  "n=$(grep -l 0x10de {gpu_root}/sys/bus/pci/devices/*/vendor | wc -l) && "
                  "d=$(ls {gpu_root}/proc/driver/nvidia/gpus | wc -l) && "
                  "[ \"$n\" -ge 8 ] && [ \"$d\" -eq \"$n\" ]",
                  requires=("grep", "wc", "ls")),
            plugin("npd-gpu", "--host-root", "{gpu_root}", "--check", "xid-other",
                   name="npd-gpu xid-other"),
            shell("grep -c Xid", "grep -c 'NVRM: Xid' {gpu_root}/dev/kmsg",
                  requires=("grep",)),
        ),
        baseline="grep | wc count",
        fixtures=(gpu_node,),
        runs=500,
        budget_s=60,
        notes=("nvidia-smi, the check GPU scripts use, needs a GPU and NVIDIA's library; "
               "the shell rows read the same fixture files. `grep | wc count` counts "
               "NVIDIA functions of any class and does not look at which driver binds "
               "them; `grep -c Xid` counts every XID line of the log at each run, where "
               "npd-gpu parses every record, takes those past its cursor (none after the "
               "first run) and keeps the cursor in its state dir. Not the same questions, "
               "so no ratio target.",),
    ),
    Suite(
        name="maintenance",
        title="AWS maintenance and spot notices from the instance metadata service",
        commands=(
            plugin("npd-maintenance", "--cloud", "aws", "--metadata-url", "{imds_url}",
                   "--events", "preempt,reboot,stop,retirement,maintenance,rebalance"),
            shell("curl IMDSv2",
                  "t=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "
                  "{imds_url}/latest/api/token) && "
                  "! curl -fsS -o /dev/null -H \"X-aws-ec2-metadata-token: $t\" "
                  "{imds_url}/latest/meta-data/spot/instance-action 2>/dev/null && "
                  "! curl -fsS -o /dev/null -H \"X-aws-ec2-metadata-token: $t\" "
                  "{imds_url}/latest/meta-data/events/recommendations/rebalance 2>/dev/null && "
                  "curl -fsS -H \"X-aws-ec2-metadata-token: $t\" "
                  "{imds_url}/latest/meta-data/events/maintenance/scheduled | grep -qx '\\[\\]'",
                  requires=("curl", "grep")),
        ),
        baseline="curl IMDSv2",
        fixtures=(imds,),
        runs=200,
        budget_s=60,
        notes=("The same four requests each (a token, then spot action, rebalance and "
               "scheduled events) to the same local server; curl is four processes. "
               "npd-maintenance also parses the events it is given and judges their "
               "kinds and times.",),
    ),
)
