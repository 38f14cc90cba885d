"""Registers neutron agents through the server-side handler of an agent's
report_state (AgentDbMixin.create_or_update_agent), then ages or disables some
through neutron's Agent object:
    seed_neutron.py NEUTRON_CONF ML2_CONF
"""

import datetime
import sys

from neutron.common import config as common_config
from neutron.db import agents_db
from neutron.objects import agent as agent_obj
from neutron_lib import context

from fleet import AGE_SECONDS, FILLERS, PAIR, TWINS

OVS = ("Open vSwitch agent", "neutron-openvswitch-agent", "N/A")
L3 = ("L3 agent", "neutron-l3-agent", "l3_agent")
DHCP = ("DHCP agent", "neutron-dhcp-agent", "dhcp_agent")
META = ("Metadata agent", "neutron-metadata-agent", "N/A")
# Run by the small clouds' hosts only (fleet.py), so that their fleets are small.
SRIOV = ("NIC Switch agent", "neutron-sriov-nic-agent", "N/A")
MACVTAP = ("Macvtap agent", "neutron-macvtap-agent", "N/A")


def main(neutron_conf, ml2_conf):
    common_config.register_common_config_options()
    common_config.init(["--config-file", neutron_conf, "--config-file", ml2_conf])
    ctx = context.get_admin_context()
    mixin = agents_db.AgentDbMixin()
    layout = {
        "node-up": [OVS, L3, DHCP, META],
        "node-down": [OVS],
        "node-disabled": [OVS],
        "node-mixed": [L3, DHCP],
    }
    for host in FILLERS:
        layout[host] = [OVS, DHCP]
    for host in PAIR:
        layout[host] = [SRIOV]
    for host in TWINS:
        layout[host] = [MACVTAP]
    ids = {}
    for host, agents in layout.items():
        for agent_type, binary, topic in agents:
            # The handler deep-copies its argument: use what it returns.
            _, state = mixin.create_or_update_agent(ctx, {
                "agent_type": agent_type, "binary": binary, "host": host,
                "topic": topic, "start_flag": True, "configurations": {}})
            ids[(host, binary)] = state["id"]
    old = datetime.datetime.utcnow() - datetime.timedelta(seconds=AGE_SECONDS)
    dead = [("node-down", OVS[1]), ("node-mixed", DHCP[1]), ("pair-down", SRIOV[1])]
    dead += [(host, MACVTAP[1]) for host in TWINS]
    for key in dead:
        agent = agent_obj.Agent.get_object(ctx, id=ids[key])
        agent.heartbeat_timestamp = old
        agent.update()
    agent = agent_obj.Agent.get_object(ctx, id=ids[("node-disabled", OVS[1])])
    agent.admin_state_up = False
    agent.update()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
