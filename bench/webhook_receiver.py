"""The fast webhook receiver of bench/webhooks.py: answers 204 at once (HTTP/1.1 keep-alive)
and appends `<seq> <arrival unix time>` per request to LOG. Prints its port first.

    python bench/webhook_receiver.py LOG
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

LOCK = threading.Lock()


class Fast(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_path: Path

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        at = time.time()
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
        seq = json.loads(body)["seq"]
        with LOCK, self.log_path.open("a") as out:
            out.write(f"{seq} {at:.6f}\n")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    Fast.log_path = Path(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Fast)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
