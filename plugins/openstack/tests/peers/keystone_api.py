"""The accounts of the test cloud and the Keystone v3 calls that set it up: the
catalog (services, regions, endpoints), a reader-only user and an application
credential.
"""

import json
import urllib.request

ADMIN_PASSWORD = "admin-secret"
READER_PASSWORD = "reader-secret"
APPCRED_SECRET = "monitoring-secret"


def call(method, url, body=None, token=None, want_token=False):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
        out = json.loads(raw) if raw else None
        if want_token:
            return resp.headers["X-Subject-Token"], out
        return out


def admin_token(ks):
    return call("POST", ks + "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "admin", "domain": {"id": "default"}, "password": ADMIN_PASSWORD}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}},
        want_token=True)


def keystone_setup(ks, urls, extra_regions):
    """Registers the services and endpoints, a reader-only user and an application
    credential; returns the ids the tests need."""
    token, body = admin_token(ks)
    project_id = body["token"]["project"]["id"]
    user_id = body["token"]["user"]["id"]
    services = {}
    for name, stype in [("nova", "compute"), ("neutron", "network"),
                        ("cinderv3", "volumev3")]:
        svc = call("POST", ks + "/services", {"service": {
            "name": name, "type": stype, "enabled": True}}, token)["service"]
        services[stype] = svc["id"]
    regions = {"RegionOne": urls}
    regions.update(extra_regions)
    for region, by_type in regions.items():
        if region != "RegionOne":
            call("POST", ks + "/regions", {"region": {"id": region}}, token)
        for stype, url in by_type.items():
            # public and internal: keystonemiddleware in the services asks for internal
            for interface in ("public", "internal"):
                call("POST", ks + "/endpoints", {"endpoint": {
                    "service_id": services[stype], "interface": interface,
                    "region_id": region, "url": url}}, token)
    reader = call("POST", ks + "/users", {"user": {
        "name": "watcher", "domain_id": "default", "password": READER_PASSWORD,
        "default_project_id": project_id}}, token)["user"]
    roles = call("GET", ks + "/roles?name=reader", token=token)["roles"]
    call("PUT", f"{ks}/projects/{project_id}/users/{reader['id']}/roles/{roles[0]['id']}",
         token=token)
    cred = call("POST", f"{ks}/users/{user_id}/application_credentials", {
        "application_credential": {"name": "monitoring", "secret": APPCRED_SECRET,
                                   "description": "npd-openstack tests"}},
        token)["application_credential"]
    return {"project_id": project_id, "user_id": user_id,
            "application_credential_id": cred["id"]}
