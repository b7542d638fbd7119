"""A webhook receiver for the tests, run as its own process: it listens on 127.0.0.1 (a free
port, printed as the first line of its output), appends every request it gets to a log (one
JSON object a line: headers, body, arrival time), and fails on purpose first:

    python receiver.py LOG [--fail N] [--hang N] [--hang-seconds S]

answers 500 to the first N requests, then hangs S seconds (no answer) on the next N, then
answers 204. Each request is logged when it arrives, before its answer.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with self.server.lock:
            self.server.count += 1
            number = self.server.count
            entry = {
                "n": number,
                "at": time.time(),
                "path": self.path,
                "headers": dict(self.headers.items()),
                "body": body.decode(),
            }
            with self.server.log.open("a") as out:
                out.write(json.dumps(entry) + "\n")
        options = self.server.options
        if number <= options.fail:
            self._answer(500)
        elif number <= options.fail + options.hang:
            time.sleep(options.hang_seconds)
            self.close_connection = True
        else:
            self._answer(204)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("log", type=Path)
    parser.add_argument("--fail", type=int, default=0)
    parser.add_argument("--hang", type=int, default=0)
    parser.add_argument("--hang-seconds", type=float, default=5.0)
    options = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    server.options = options  # type: ignore[attr-defined]
    server.log = options.log  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    server.count = 0  # type: ignore[attr-defined]
    print(server.server_address[1], flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
