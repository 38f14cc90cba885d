"""The services' configuration files and databases: keystone.conf, nova.conf (for the
main cloud's nova and the small cloud's), neutron.conf with ML2, cinder.conf, all on
SQLite with fake:// messaging; the schemas made with each service's own tools, and
the small cloud's nova databases copied from the main one's.
"""

import os
import shutil
import sqlite3
import threading

from keystone_api import ADMIN_PASSWORD

# Long enough that a seeded "up" row stays up for a whole test run, short enough
# that rows aged by a day are down.
DOWN_TIME = 3600


def authtoken_section(ks):
    return f"""[keystone_authtoken]
interface = public
www_authenticate_uri = {ks}
auth_url = {ks}
auth_type = password
username = admin
password = {ADMIN_PASSWORD}
user_domain_name = Default
project_name = admin
project_domain_name = Default
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def configure(venv, w, ports):
    ks = f"http://127.0.0.1:{ports['keystone']}/v3"
    write(f"{w}/keystone/keystone.conf", f"""[DEFAULT]
log_dir = {w}/log
[database]
connection = sqlite:///{w}/keystone/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = {w}/keystone/fernet-keys
[credential]
key_repository = {w}/keystone/credential-keys
[cache]
enabled = false
[identity]
password_hash_rounds = 4
""")
    # nova: the main cloud's, and the small cloud's (nova-pair, a copy of its
    # databases made before seeding, see clone_nova)
    for nova in ("nova", "nova-pair"):
        write(f"{w}/{nova}/nova.conf", f"""[DEFAULT]
host = ctl-1
transport_url = fake://
log_file = {w}/log/{nova}-api-app.log
state_path = {w}/{nova}
service_down_time = {DOWN_TIME}
rpc_response_timeout = 2
long_rpc_timeout = 2
[api]
auth_strategy = keystone
[api_database]
connection = sqlite:///{w}/{nova}/nova_api.db
[database]
connection = sqlite:///{w}/{nova}/nova.db
[oslo_concurrency]
lock_path = {w}/{nova}/locks
{authtoken_section(ks)}""")
        shutil.copy(f"{venv}/etc/nova/api-paste.ini", f"{w}/{nova}/api-paste.ini")
    write(f"{w}/neutron/neutron.conf", f"""[DEFAULT]
host = ctl-1
core_plugin = ml2
service_plugins =
auth_strategy = keystone
transport_url = fake://
log_file = {w}/log/neutron-api-app.log
api_paste_config = {venv}/etc/neutron/api-paste.ini
state_path = {w}/neutron
agent_down_time = {DOWN_TIME}
rpc_response_timeout = 2
[database]
connection = sqlite:///{w}/neutron/neutron.db
[oslo_concurrency]
lock_path = {w}/neutron/locks
{authtoken_section(ks)}""")
    write(f"{w}/neutron/plugins/ml2/ml2_conf.ini", """[ml2]
type_drivers = flat,vlan
tenant_network_types =
mechanism_drivers = openvswitch
[ml2_type_flat]
flat_networks = *
""")
    write(f"{w}/cinder/cinder.conf", f"""[DEFAULT]
host = ctl-1
transport_url = fake://
log_file = {w}/log/cinder-api-app.log
api_paste_config = {venv}/etc/cinder/api-paste.ini
state_path = {w}/cinder
service_down_time = {DOWN_TIME}
rpc_response_timeout = 2
auth_strategy = keystone
[database]
connection = sqlite:///{w}/cinder/cinder.db
[oslo_concurrency]
lock_path = {w}/cinder/locks
[coordination]
backend_url = file://{w}/cinder/coordination
{authtoken_section(ks)}""")
    return ks


def db_setup(venv, w, procs, ks_url):
    """The three groups are independent and CPU-bound: run them side by side."""
    b = f"{venv}/bin"
    py = f"{b}/python"
    km = [f"{b}/keystone-manage", "--config-file", f"{w}/keystone/keystone.conf"]
    nm = [f"{b}/nova-manage", "--config-file", f"{w}/nova/nova.conf"]
    neutron_cfg = ["--config-file", f"{w}/neutron/neutron.conf",
                   "--config-file", f"{w}/neutron/plugins/ml2/ml2_conf.ini"]

    def keystone():
        procs.run("ks-fernet", km + ["fernet_setup", "--keystone-user", "root",
                                     "--keystone-group", "root"])
        procs.run("ks-credential", km + ["credential_setup", "--keystone-user", "root",
                                         "--keystone-group", "root"])
        procs.run("ks-db-sync", km + ["db_sync"])
        procs.run("ks-bootstrap", km + [
            "bootstrap", "--bootstrap-password", ADMIN_PASSWORD,
            "--bootstrap-username", "admin", "--bootstrap-project-name", "admin",
            "--bootstrap-role-name", "admin", "--bootstrap-service-name", "keystone",
            "--bootstrap-region-id", "RegionOne", "--bootstrap-public-url", ks_url,
            "--bootstrap-internal-url", ks_url])

    def nova():
        procs.run("nova-api-db", nm + ["api_db", "sync"])
        procs.run("nova-cell0", nm + ["cell_v2", "map_cell0", "--database_connection",
                                      f"sqlite:///{w}/nova/nova_cell0.db"])
        procs.run("nova-cell1", nm + ["cell_v2", "create_cell", "--name", "cell1",
                                      "--database_connection",
                                      f"sqlite:///{w}/nova/nova.db",
                                      "--transport-url", "fake://"])
        procs.run("nova-db", nm + ["db", "sync"])

    def neutron_and_cinder():
        # Neutron's migrations cannot ALTER constraints on SQLite: build the schema
        # from its models and mark it current, as neutron's own unit tests do.
        procs.run("neutron-schema", [py, "-c",
                                     "import sys, sqlalchemy as sa\n"
                                     "from neutron.db.migration.models import head\n"
                                     "head.get_metadata().create_all("
                                     "sa.create_engine(sys.argv[1]))",
                                     f"sqlite:///{w}/neutron/neutron.db"])
        procs.run("neutron-stamp", [f"{b}/neutron-db-manage"] + neutron_cfg +
                  ["stamp", "heads"])
        procs.run("cinder-db", [f"{b}/cinder-manage", "--config-file",
                                f"{w}/cinder/cinder.conf", "db", "sync"])

    errors = []

    def guarded(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=guarded, args=(fn,))
               for fn in (keystone, nova, neutron_and_cinder)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def clone_nova(w):
    """A second nova of its own, the small cloud: nova's freshly made databases
    copied (seconds, where making them again costs half a minute of CPU), with the
    API database's cell mappings pointed at the copies."""
    for db in ("nova_api.db", "nova_cell0.db", "nova.db"):
        shutil.copy(f"{w}/nova/{db}", f"{w}/nova-pair/{db}")
    with sqlite3.connect(f"{w}/nova-pair/nova_api.db") as db:
        db.execute("UPDATE cell_mappings SET database_connection = "
                   "replace(database_connection, ?, ?)",
                   (f"sqlite:///{w}/nova/", f"sqlite:///{w}/nova-pair/"))
        left = db.execute("SELECT count(*) FROM cell_mappings WHERE "
                          "database_connection LIKE ?", (f"sqlite:///{w}/nova/%",))
        if left.fetchone()[0]:
            raise RuntimeError("nova-pair: a cell mapping still points at nova's database")
    db.close()
