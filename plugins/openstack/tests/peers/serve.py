"""Serves one WSGI application on HOST:PORT with the standard library, a thread per
request: serve.py MODULE:ATTRIBUTE HOST PORT [APP ARGS...]

nova, neutron and cinder read sys.argv with oslo.config when their app is imported,
so sys.argv is set to the app's own arguments first. SIGTERM ends the process at once
(nothing here needs a graceful stop: the databases are throwaway).
"""

import importlib
import signal
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class Handler(WSGIRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


def main():
    target, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.argv = [target] + sys.argv[4:]
    module, attribute = target.split(":")
    app = getattr(importlib.import_module(module), attribute)
    # The apps install SIGTERM handlers of their own (eventlet, oslo.service) that wait
    # for work that never comes here.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    httpd = make_server(host, port, app, server_class=Server, handler_class=Handler)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
