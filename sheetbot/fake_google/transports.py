"""Two ways to reach one :class:`FakeGoogle`: a real HTTP server on loopback
(:func:`serve`) and in-process callbacks for the ``responses`` library (:func:`mount`)."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from .core import FakeConnectionReset, FakeGoogle

if TYPE_CHECKING:
    import responses


def _handler_class(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ESF"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                status, headers, data = fake.handle(
                    self.command, self.path, dict(self.headers.items()), body
                )
            except FakeConnectionReset:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                    )
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        do_GET = _serve
        do_POST = _serve
        do_PUT = _serve
        do_PATCH = _serve
        do_DELETE = _serve

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextlib.contextmanager
def serve(fake: FakeGoogle, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``fake`` over HTTP on loopback; yields the root, ``http://127.0.0.1:PORT``."""
    server = _Server((host, port), _handler_class(fake))
    thread = threading.Thread(target=server.serve_forever, name="fake-google", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def mount(fake: FakeGoogle, rsps: responses.RequestsMock, root: str = "http://127.0.0.1:9") -> str:
    """Register ``fake`` with a ``responses`` mock for every method under ``root``;
    returns ``root``. A fault's connection reset raises ``ConnectionError``."""
    import requests

    root = root.rstrip("/")
    pattern = re.compile(re.escape(root) + r"(/.*)?$")

    def callback(request: Any) -> tuple[int, dict[str, str], bytes]:
        url: str = request.url
        rel = url[len(root) :] or "/"
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            return fake.handle(request.method, rel, dict(request.headers), body or b"")
        except FakeConnectionReset as exc:
            raise requests.exceptions.ConnectionError(
                f"Connection reset by the fake Google API ({exc})"
            ) from exc

    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        rsps.add_callback(method, pattern, callback=callback)
    return root
