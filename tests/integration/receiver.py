"""A real HTTP receiver of webhooks on 127.0.0.1 (this developer's ports), started and stopped by
the tests: stopped, the port refuses connections, as a receiver that is down."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECEIVER_PORT = 8451


class Receiver:
    def __init__(self, port: int = RECEIVER_PORT):
        self.port = port
        self.received: list[dict] = []
        self.answer = 204
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(
                    {"headers": dict(self.headers), "body": body, "event": json.loads(body)}
                )
                self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def unique_events(self) -> list[dict]:
        """What arrived, deduplicated by event id, in arrival order."""
        seen: set[int] = set()
        events = []
        for item in self.received:
            if item["event"]["id"] not in seen:
                seen.add(item["event"]["id"])
                events.append(item["event"])
        return events
