"""The shipped rules, and one case: a rule run under a fault, through `npd-checks run`
(NPD's semantics: its exec, timeout kill, output cut) or, for the faults of the
binary's own stdio, exec'd directly; each run goes through reap.py, which says what
the run left behind. The contract is then checked (contract.py)."""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# npd-checks run's line for one rule run, e.g.
#   rules[0] (condition DiskUsageHigh): exit status 0 after 12ms -> OK "disk ok"
LINE = re.compile(r' rules\[(\d+)\] \(([^)]*)\): (.*?) after (\d+)ms -> (\w+) "(.*)"\s*$')


_ESC = re.compile(r'\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)')
_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def go_unquote(text):
    """The bytes of a Go-quoted string (strconv.Quote's escapes), as text."""
    out = bytearray()
    pos = 0
    for m in _ESC.finditer(text):
        out += text[pos:m.start()].encode()
        e = m.group(1)
        if e[0] == "x":
            out.append(int(e[1:], 16))
        elif e[0] in "uU":
            out += chr(int(e[1:], 16)).encode()
        else:
            out += _SIMPLE.get(e, e).encode()
        pos = m.end()
    out += text[pos:].encode()
    return out.decode("utf-8", "replace")


def duration_ms(text):
    """NPD's durations as the shipped configs write them: 500ms, 5s, 1m."""
    m = re.fullmatch(r"(\d+)(ms|s|m)", text)
    return int(m.group(1)) * {"ms": 1, "s": 1000, "m": 60000}[m.group(2)]


class Rule:
    def __init__(self, path, config, index):
        rule = config["rules"][index]
        self.file = os.path.basename(path)
        self.config = config
        self.index = index
        self.raw = rule
        self.name = rule.get("condition") or rule.get("reason")
        self.plugin = os.path.basename(rule["path"])
        self.args = list(rule.get("args", []))
        glob_ms = duration_ms(config.get("pluginConfig", {}).get("timeout", "5s"))
        own = rule.get("timeout")
        self.timeout_ms = min(glob_ms, duration_ms(own)) if own else glob_ms

    @property
    def id(self):
        return f"{self.file[:-5]}:{self.name}"

    def flag(self, name):
        """The value of `--name V` in the rule's args, or None."""
        for i, a in enumerate(self.args):
            if a == name and i + 1 < len(self.args):
                return self.args[i + 1]
        return None

    def uses_state(self):
        return any(a in self.args for a in ("--state-key", "--fail-after", "--within", "--window"))


def shipped_rules():
    """Every rule of every custom plugin monitor in npd-config/ (the kernel log
    monitors run no plugin)."""
    out = []
    for path in sorted(glob.glob(os.path.join(REPO, "npd-config", "*.json"))):
        with open(path) as f:
            config = json.load(f)
        if config.get("plugin") != "custom":
            continue
        out += [Rule(path, config, i) for i in range(len(config["rules"]))]
    return out


def replace_flag(args, name, value):
    """args with `--name V` set to value (added when absent; removed when None)."""
    out, i, seen = [], 0, False
    while i < len(args):
        if args[i] == name and i + 1 < len(args):
            seen = True
            if value is not None:
                out += [name, value]
            i += 2
            continue
        out.append(args[i])
        i += 1
    if not seen and value is not None:
        out += [name, value]
    return out


class Case:
    """One rule under one fault: the rule's args as the fault rewrote them, the
    environment, and how to run it."""

    def __init__(self, rule, args=None, env=None, host_root=None, state_dir=None,
                 user=None, stdout="npd", rounds=1, unset=()):
        self.rule = rule
        self.args = rule.args if args is None else args
        self.env = dict(env or {})
        self.host_root = host_root
        self.state_dir = state_dir
        self.user = user
        self.stdout = stdout
        self.rounds = rounds
        self.unset = unset


def _environment(case):
    env = {k: v for k, v in os.environ.items() if k not in ("HOST_ROOT", "NODE_NAME")}
    # What the DaemonSet sets; a case removes what its fault removes.
    env["NODE_NAME"] = "faults-node"
    env["KUBERNETES_SERVICE_HOST"] = ""
    if case.host_root:
        env["HOST_ROOT"] = case.host_root
    if case.state_dir:
        env["NPD_CHECKS_STATE_DIR"] = case.state_dir
    env.update(case.env)
    for name in case.unset:
        env.pop(name, None)
    return env


def run(case, bin_dir, work):
    """Runs the case; returns (runs, raw): one (code, ms, verdict, line) per run of
    the rule (None when npd-checks printed no line for it) and reap.py's report."""
    rule = case.rule
    if case.stdout == "npd":
        config = dict(rule.config)
        config["rules"] = [dict(rule.raw, args=case.args)]
        # NPD's own cut at max_output_length would hide a plugin's overlong line:
        # keep all NPD keeps (4096 bytes) and judge the plugin's line itself.
        config["pluginConfig"] = dict(config.get("pluginConfig", {}), max_output_length=4096)
        fd, path = tempfile.mkstemp(suffix=".json", dir=work)
        with os.fdopen(fd, "w") as f:
            json.dump(config, f)
        os.chmod(path, 0o644)
        cmd = [os.path.join(bin_dir, "npd-checks"), "run", "--plugin-dir", bin_dir,
               "--rounds", str(case.rounds), path]
        mode = "capture"
    else:
        cmd = [os.path.join(bin_dir, rule.plugin)] + case.args
        mode = case.stdout
    if case.user:
        cmd = ["setpriv", f"--reuid={case.user}", f"--regid={case.user}",
               "--clear-groups", "--"] + cmd
    bound = rule.timeout_ms / 1000 * case.rounds + 10
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "reap.py"), str(bound),
                             mode, "--"] + cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, env=_environment(case))
    raw = json.loads(proc.stdout.readline() or "{}")
    proc.stdout.close()
    _WRAPPERS.append(proc)
    runs = []
    if case.stdout == "npd":
        for text in raw.get("stdout", "").splitlines():
            m = LINE.search(text)
            if m:
                code = re.fullmatch(r"exit status (\d+)", m.group(3))
                runs.append((int(code.group(1)) if code else m.group(3),
                             int(m.group(4)), m.group(5), go_unquote(m.group(6))))
    else:
        out = raw.get("stdout", "")
        runs.append((raw.get("code") if raw.get("code") is not None
                     else f"signal {raw.get('signal')}", raw.get("ms", 0), "", out))
    return runs, raw


# Wrappers still waiting for a stuck helper: waited for when the fault that hung the
# mount is torn down (wait_wrappers), and killed on any exit (procs cleanup).
_WRAPPERS = []


def wait_wrappers(timeout=30):
    while _WRAPPERS:
        p = _WRAPPERS.pop()
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
