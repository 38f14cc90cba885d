"""What each binary is made of: its bytes by origin, from the symbol table of the same
code built with its symbols kept (the workspace's `release-symbols` profile: the
release profile, unstripped, in a directory of its own), so that the report says what
the shared layer, clap or the C library cost a plugin, and what its own code does.

A symbol is put to the crate that its demangled name starts with (for `<T as
Trait>::f`, the crate of T): generic code of the standard library instantiated for a
plugin's types counts as the standard library's, and code LTO inlined into another
function counts as that function's crate's. Symbols with no path are the C library's
and start-up code (glibc, linked statically). The bytes of the stripped release binary
that no symbol holds (string literals, relocations, headers; unwind tables only in
npd-checks, since the plugins' build script discards them) are listed apart.
"""

import os
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass

PROFILE = "release-symbols"
TARGET = "x86_64-unknown-linux-gnu"

# Groups, in the order of the report's columns; a crate found in none is "other".
GROUPS = (
    ("C library", ()),
    ("Rust std", ("std", "core", "alloc", "compiler_builtins", "panic_abort", "std_detect",
                  "gimli", "addr2line", "object", "miniz_oxide", "rustc_demangle")),
    ("clap", ("clap", "clap_builder", "clap_lex", "anstyle", "strsim")),
    ("serde", ("serde", "serde_core", "serde_json", "itoa", "ryu", "zmij")),
    ("shared layer", ("npd_plugin", "npd_host")),
    ("http-probe", ("http_probe",)),
)


@dataclass
class Composition:
    name: str
    total: int                 # the stripped release binary's bytes
    groups: dict               # group -> bytes held by its symbols
    own: int                   # the plugin's own crate
    other: dict                # other crate -> bytes
    unattributed: int


def _crate(symbol: str) -> str:
    """The crate a demangled symbol belongs to; "" for a C symbol."""
    s = symbol.lstrip("<&*").removeprefix("dyn ").removeprefix("mut ")
    head, sep, _ = s.partition("::")
    if not sep or not head.replace("_", "").isalnum():
        return ""
    return head


def build(repo: str, log) -> str | None:
    """Builds the workspace with symbols kept; returns its binary directory, or None
    (and logs why) when it cannot."""
    if not shutil.which("nm"):
        log("composition: skipped: no `nm` (binutils)")
        return None
    target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(repo, "target"))
    log(f"composition: building the binaries with symbols (cargo --profile {PROFILE})")
    # One package at a time, as `make build` does: a build of them all together would
    # unify their dependencies' features and link code some binaries never carry.
    for package in packages(repo):
        done = subprocess.run(["cargo", "build", "--profile", PROFILE, "-p", package],
                              cwd=repo, capture_output=True, text=True)
        if done.returncode != 0:
            log(f"composition: skipped: building {package} failed: "
                f"{done.stderr.strip()[-300:]}")
            return None
    return os.path.join(target_dir, TARGET, PROFILE)


def packages(repo: str) -> list[str]:
    """The workspace's binary packages: the plugins and the companion tool."""
    found = []
    for top in ("plugins", "tool"):
        for entry in sorted(os.listdir(os.path.join(repo, top))):
            manifest = os.path.join(repo, top, entry, "Cargo.toml")
            if not os.path.isfile(manifest):
                continue
            with open(manifest) as f:
                for line in f:
                    if line.startswith("name = \"npd-"):
                        found.append(line.split('"')[1])
                        break
    return found


def measure(symbols_dir: str, sizes: list) -> list[Composition]:
    """One row per binary of `sizes` (the release build's) found in `symbols_dir`."""
    out = []
    for b in sizes:
        path = os.path.join(symbols_dir, b["name"])
        if not os.path.isfile(path):
            continue
        listed = subprocess.run(["nm", "--print-size", "--size-sort", "--demangle", path],
                                capture_output=True, text=True)
        if listed.returncode != 0:
            continue
        own_crate = b["name"].replace("-", "_")
        # One symbol per address: glibc names many functions twice (aliases).
        at = {}
        for line in listed.stdout.splitlines():
            parts = line.split(" ", 3)
            if len(parts) < 4 or parts[2] in ("b", "B"):
                continue   # .bss takes no room in the file
            try:
                size = int(parts[1], 16)
            except ValueError:
                continue
            if size > at.get(parts[0], (0, ""))[0]:
                at[parts[0]] = (size, parts[3])
        groups, other, own, held = defaultdict(int), defaultdict(int), 0, 0
        for size, symbol in at.values():
            held += size
            crate = _crate(symbol)
            if crate == own_crate:
                own += size
                continue
            group = next((g for g, crates in GROUPS if crate in crates or (not crates and not crate)),
                         None)
            if group:
                groups[group] += size
            else:
                other[crate] += size
        out.append(Composition(b["name"], b["bytes"], dict(groups), own, dict(other),
                               max(b["bytes"] - held, 0)))
    return out
