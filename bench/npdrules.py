"""The rules a node runs: which custom plugin monitor configs the base DaemonSet gives
NPD (its --config.custom-plugin-monitor flags), and each config's rules with the
settings NPD applies to them (invoke_interval, timeout, concurrency; NPD's defaults when
a config leaves one out). Read-only; used by the budget suite."""

import json
import os
import re
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DAEMONSET = os.path.join(REPO, "manifests", "daemonset", "daemonset.yaml")
CONFIG_DIR = os.path.join(REPO, "npd-config")
# Where the DaemonSet installs the plugins; a build directory stands in for it, as
# `npd-checks run --plugin-dir` does.
INSTALL_DIR = "/opt/npd-checks/bin"
# NPD v1.36.0's defaults for a custom plugin monitor.
DEFAULT_INTERVAL = "30s"
DEFAULT_TIMEOUT = "5s"
DEFAULT_CONCURRENCY = 3

FLAG = re.compile(r"--config\.custom-plugin-monitor=(\S+)")
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?)(h|ms|m|s|us|µs|ns)")


def go_seconds(text: str) -> float:
    """A duration as Go's time.ParseDuration reads it ("30s", "1m30s", "500ms")."""
    pos, total = 0, 0.0
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m:
            raise ValueError(f"not a duration: {text!r}")
        total += float(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    if not text:
        raise ValueError("empty duration")
    return total


@dataclass(frozen=True)
class Rule:
    config: str                 # the config's file name, npd-disk.json
    label: str                  # "<binary> <reason>", unique among the base rules
    path: str                   # as the config names it (/opt/npd-checks/bin/npd-disk)
    args: tuple[str, ...]
    timeout_s: float            # the effective timeout: the rule's, else the config's
    interval_s: float

    @property
    def binary(self) -> str:
        return os.path.basename(self.path)

    def runs_per_minute(self) -> float:
        return 60.0 / self.interval_s


@dataclass(frozen=True)
class Config:
    file: str                   # path in npd-config/
    interval_s: float
    concurrency: int
    rules: tuple[Rule, ...]

    @property
    def name(self) -> str:
        return os.path.basename(self.file)


def base_config_files(daemonset: str = DAEMONSET) -> list[str]:
    """The configs named by the DaemonSet's --config.custom-plugin-monitor flags, in
    order, as files of npd-config/ (the ConfigMap is generated from that folder)."""
    with open(daemonset) as f:
        text = f.read()
    names = [os.path.basename(m.group(1)) for line in text.splitlines()
             if not line.lstrip().startswith("#") for m in FLAG.finditer(line)]
    if not names:
        raise ValueError(f"{daemonset}: no --config.custom-plugin-monitor flag")
    return [os.path.join(CONFIG_DIR, n) for n in names]


def load(path: str) -> Config:
    with open(path) as f:
        doc = json.load(f)
    g = doc.get("pluginConfig") or {}
    interval = go_seconds(g.get("invoke_interval", DEFAULT_INTERVAL))
    timeout = go_seconds(g.get("timeout", DEFAULT_TIMEOUT))
    concurrency = int(g.get("concurrency", DEFAULT_CONCURRENCY))
    rules = []
    for r in doc.get("rules", []):
        own = go_seconds(r["timeout"]) if r.get("timeout") else timeout
        rules.append(Rule(
            config=os.path.basename(path),
            label=f"{os.path.basename(r['path'])} {r.get('reason', '?')}",
            path=r["path"],
            args=tuple(r.get("args", ())),
            # NPD uses the rule's timeout only when it is below the global one.
            timeout_s=min(own, timeout),
            interval_s=interval,
        ))
    return Config(path, interval, max(1, concurrency), tuple(rules))


def local_path(rule_path: str, bin_dir: str) -> str:
    """The rule's program on this machine: the install dir maps to bin_dir."""
    rest = rule_path.removeprefix(INSTALL_DIR + "/")
    if rest != rule_path and rest and "/" not in rest:
        return os.path.join(bin_dir, rest)
    return rule_path


def base_rules() -> list[Config]:
    configs = [load(p) for p in base_config_files()]
    labels = [r.label for c in configs for r in c.rules]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise ValueError(f"two base rules share a binary and reason: {', '.join(dup)}")
    return configs
