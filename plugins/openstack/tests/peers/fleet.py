"""The hosts every seed script writes, so that the tests know what to expect.

The main cloud (catalog region RegionOne): node-up is healthy everywhere; node-down
stopped its heartbeats a day ago; node-disabled was disabled by an operator;
node-forced was forced down (nova); node-mixed has one agent alive and one dead
(neutron). The fill-NN hosts are healthy and keep the share of down services below
npd-openstack's default --max-down-fraction (0.2), so that a down host is judged a
host problem.

The small cloud: PAIR, two computes of which pair-down is down, served by a nova-api
of their own (catalog region RegionPair). In neutron, whose fleet the plugin lists per
binary, a binary that only the PAIR hosts run (the SR-IOV agent) makes the same small
cloud, and one that only the TWINS run, both dead, a small cloud wholly down.
"""

FILLERS = [f"fill-{i:02d}" for i in range(1, 13)]
PAIR = ["pair-up", "pair-down"]
TWINS = ["twin-a", "twin-b"]
# Hosts whose heartbeats stopped AGE_SECONDS ago (nova, cinder; neutron per agent).
DOWN = ["node-down", "pair-down"]
AGE_SECONDS = 86400
DISABLED_REASON = "maintenance by ops"
