"""The hosts every seed script writes, so that the tests know what to expect.

node-up is healthy everywhere; node-down stopped its heartbeats a day ago;
node-disabled was disabled by an operator; node-forced was forced down (nova);
node-mixed has one agent alive and one dead (neutron). The fill-NN hosts are healthy
and keep the share of down services below npd-openstack's default
--max-down-fraction (0.2), so that a down host is judged a host problem.
"""

FILLERS = [f"fill-{i:02d}" for i in range(1, 13)]
AGE_SECONDS = 86400
DISABLED_REASON = "maintenance by ops"
