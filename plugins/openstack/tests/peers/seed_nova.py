"""Writes nova-compute service rows through nova's own objects, as a compute's
heartbeat would (report_count += 1; save() sets last_seen_up), plus the host
mappings `nova-manage cell_v2 discover_hosts` would create:
    seed_nova.py NOVA_CONF main|pair
"""

import datetime
import sys

import sqlalchemy as sa
from nova import config, context, objects

from fleet import AGE_SECONDS, DISABLED_REASON, DOWN, FILLERS, PAIR


def main(conf, which):
    config.parse_args(["seed_nova", "--config-file", conf])
    objects.register_all()
    ctxt = context.get_admin_context()
    cell = next(c for c in objects.CellMappingList.get_all(ctxt) if c.name == "cell1")
    hosts = {"main": ["node-up", "node-down", "node-disabled", "node-forced"] + FILLERS,
             "pair": PAIR}[which]
    with context.target_cell(ctxt, cell) as cctxt:
        for host in hosts:
            svc = objects.Service(cctxt, host=host, binary="nova-compute", topic="compute")
            svc.create()
            svc.report_count += 1
            svc.save()
            if host == "node-disabled":
                svc.disabled = True
                svc.disabled_reason = DISABLED_REASON
                svc.save()
            if host == "node-forced":
                svc.forced_down = True
                svc.save()
            objects.HostMapping(ctxt, host=host, cell_mapping=cell).create()
    # Only the age of the last heartbeat needs writing by hand: nothing in nova's
    # object layer sets a past time.
    old = datetime.datetime.utcnow() - datetime.timedelta(seconds=AGE_SECONDS)
    engine = sa.create_engine(cell.database_connection)
    with engine.begin() as db:
        for host in set(hosts) & set(DOWN):
            db.execute(sa.text("UPDATE services SET last_seen_up = :t, updated_at = :t, "
                               "created_at = :t WHERE host = :h"), {"t": old, "h": host})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
