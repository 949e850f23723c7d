"""An HTTP engine for the hostile-input corpus (CONTRACT §5: POST the encounter as JSON).

    python http_server.py MODE

listens on 127.0.0.1 (a free port, printed as the first line of stdout) and answers
like hostile_engine.Echo, except on the case whose first documented condition has the
term `misbehave`, where MODE says what goes wrong: `500` (Internal Server Error with a
stack trace as the body), `404` (the path is not there), `slow` (answers after 60 s),
`garbage` (200 with an HTML body).
"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hostile_engine import echo, triggered

MODE = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.send(200, json.dumps({"name": "hostile-http", "version": "1.0"}))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        encounter = json.loads(self.rfile.read(length))
        if triggered(encounter):
            if MODE == "500":
                self.send(
                    500,
                    "java.lang.NullPointerException at Grouper.run(Grouper.java:88)",
                    "text/plain",
                )
                return
            if MODE == "404":
                self.send(404, "<html><body>Not Found</body></html>", "text/html")
                return
            if MODE == "slow":
                time.sleep(60)
            if MODE == "garbage":
                self.send(200, "<html><body>Service maintenance</body></html>", "text/html")
                return
        self.send(200, json.dumps(echo(encounter)))


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
