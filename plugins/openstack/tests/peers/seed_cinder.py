"""Writes cinder-volume service rows through cinder's Service object; cinder judges
up/down from updated_at, which a volume service's heartbeat refreshes:
    seed_cinder.py CINDER_CONF
"""

import datetime
import sys

from cinder import context, objects
from oslo_config import cfg

from fleet import AGE_SECONDS, DISABLED_REASON, DOWN, FILLERS


def main(conf):
    objects.register_all()
    cfg.CONF(["--config-file", conf], project="cinder")
    ctxt = context.get_admin_context()
    now = datetime.datetime.now(datetime.timezone.utc)
    for host in ["node-up", "node-down", "node-disabled"] + FILLERS:
        svc = objects.Service(ctxt, host=f"{host}@lvm", binary="cinder-volume",
                              topic="cinder-volume", report_count=1)
        if host == "node-disabled":
            svc.disabled = True
            svc.disabled_reason = DISABLED_REASON
        svc.create()
        svc.updated_at = now if host not in DOWN else (
            now - datetime.timedelta(seconds=AGE_SECONDS))
        svc.save()


if __name__ == "__main__":
    main(sys.argv[1])
