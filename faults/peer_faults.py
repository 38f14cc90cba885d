"""Faults of the peers a rule asks (peers.py): each network rule pointed at a peer
that misbehaves, through a copy of its args (URL, --server, clouds.yaml,
resolv.conf) that names the peer's port on 127.0.0.1."""

import os
from urllib.parse import urlsplit

import peers
from campaign import one
from runner import Case, replace_flag

HTTP_LIKE = ("npd-http", "npd-kube", "npd-openstack")
DNS_ADDR = "127.83.41.9"


class Endpoint:
    """Where a peer listens and how a rule trusts it."""

    def __init__(self, ctx, port, tls):
        self.ctx, self.port, self.tls = ctx, port, tls
        self.ca = _pki(ctx)[0]

    @property
    def base(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"


def _pki(ctx):
    if not hasattr(ctx, "pki"):
        ctx.pki = peers.make_pki(ctx.tmpdir("pki-"))
        token = os.path.join(ctx.work, "token")
        with open(token, "w") as f:
            f.write("faults-token\n")
        os.chmod(token, 0o644)
        ctx.token = token
    return ctx.pki


def point(rule, ep):
    """The rule's args, asking the peer at `ep` instead of its own endpoint."""
    args = rule.args
    if rule.plugin == "npd-http":
        path = urlsplit(rule.flag("--url")).path or "/"
        args = replace_flag(args, "--url", ep.base + path)
        args = replace_flag(args, "--client-cert", None)
        args = replace_flag(args, "--client-key", None)
        return replace_flag(args, "--ca-file", ep.ca if ep.tls else None)
    if rule.plugin == "npd-kube":
        args = replace_flag(args, "--server", ep.base)
        args = replace_flag(args, "--ca-file", ep.ca)
        return replace_flag(args, "--token-file", ep.ctx.token)
    if rule.plugin == "npd-openstack":
        clouds = os.path.join(ep.ctx.work, f"clouds-{ep.port}.yaml")
        with open(clouds, "w") as f:
            f.write("clouds:\n  npd-checks:\n    auth:\n"
                    f"      auth_url: {ep.base}/v3\n"
                    "      username: nova\n      password: secret\n"
                    "      project_name: service\n      user_domain_name: Default\n"
                    "      project_domain_name: Default\n"
                    "    region_name: RegionOne\n"
                    + (f"    cacert: {ep.ca}\n" if ep.tls else ""))
        os.chmod(clouds, 0o644)
        return replace_flag(args, "--os-config", clouds)
    raise ValueError(rule.plugin)


def _wants_tls(rule):
    if rule.plugin == "npd-kube":
        return True
    if rule.plugin == "npd-http":
        return rule.flag("--url").startswith("https:")
    return False


def peer_fault(name, behave, raw=False, force_tls=False):
    """Every rule of `rules` asks a peer that behaves so."""
    def run(ctx, rules):
        cert = _pki(ctx)[1:]
        out = []
        for rule in rules:
            tls = force_tls or _wants_tls(rule)
            root, state = ctx.host_root(), ctx.state_dir()
            with peers.Peer(behave, tls=cert if tls else None, raw=raw) as p:
                args = point(rule, Endpoint(ctx, p.port, tls))
                out.append(one(ctx, Case(rule, args=args, host_root=root, state_dir=state),
                               name))
            ctx.drop(root)
            ctx.drop(state)
        return out
    return run


def dns_fault(mode):
    """npd-dns asking a server that answers in `mode` (peers.Dns): through
    --resolv-conf naming it on port 53 when root can bind there, else --server."""
    def run(ctx, rules):
        out = []
        for rule in rules:
            state = ctx.state_dir()
            try:
                server = peers.Dns(mode, DNS_ADDR, 53) if ctx.root else None
            except OSError:
                server = None
            server = server or peers.Dns(mode)
            with server:
                if server.port == 53:
                    conf = os.path.join(ctx.work, "resolv.conf")
                    with open(conf, "w") as f:
                        f.write(f"nameserver {DNS_ADDR}\n")
                    os.chmod(conf, 0o644)
                    args = replace_flag(rule.args, "--resolv-conf", conf)
                else:
                    args = replace_flag(rule.args, "--resolv-conf", None)
                    args = replace_flag(args, "--server", f"127.0.0.1:{server.port}")
                out.append(one(ctx, Case(rule, args=args, host_root=ctx.host_root(),
                                         state_dir=state), f"dns-{mode}"))
            ctx.drop(state)
        return out
    return run


def _on(*plugins):
    return lambda r: r.plugin in plugins


# (fault, the rules it concerns, in the quick subset, function)
FAULTS = [
    ("peer-silent", _on(*HTTP_LIKE), True, peer_fault("peer-silent", peers.silent, raw=True)),
    ("peer-tls-stall", _on(*HTTP_LIKE), False,
     peer_fault("peer-tls-stall", peers.hello_then_silent, raw=True, force_tls=True)),
    ("peer-trickle", _on(*HTTP_LIKE), False, peer_fault("peer-trickle", peers.trickle)),
    ("peer-reset", _on(*HTTP_LIKE), True, peer_fault("peer-reset", peers.reset, raw=True)),
    ("peer-garbage", _on(*HTTP_LIKE), False,
     peer_fault("peer-garbage", peers.garbage, raw=True)),
    ("peer-huge", _on(*HTTP_LIKE), False, peer_fault("peer-huge", peers.huge)),
    ("peer-429", _on(*HTTP_LIKE), False,
     peer_fault("peer-429", peers.status(429, "TooManyRequests"))),
    ("peer-500", _on(*HTTP_LIKE), True,
     peer_fault("peer-500", peers.status(500, "InternalError"))),
    ("peer-endless-list", _on("npd-kube", "npd-openstack"), True,
     peer_fault("peer-endless-list", peers.endless_list)),
    ("dns-wrong-id", _on("npd-dns"), True, dns_fault("wrong-id")),
    ("dns-truncated", _on("npd-dns"), True, dns_fault("truncated")),
    ("dns-silent", _on("npd-dns"), False, dns_fault("silent")),
]
