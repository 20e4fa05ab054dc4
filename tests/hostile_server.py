"""A loopback server that trickles: raw sockets, one byte at a time, for the deadline tests.

`TricklingServer(answer)` listens on 127.0.0.1; every connection reads the request, then sends
`answer` one byte every `gap_s` seconds (waiting on an Event, not sleeping, so `close()` lets
every connection go at once). With `head_first=True` the status line and headers go out at
once and only the body trickles; otherwise the whole answer trickles, headers included.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

TRICKLED_JSON = (
    b'{"status": "UP", "padding": "' + b"x" * 10_000 + b'"}'
)  # long enough that no test deadline sees the end of it


def http_answer(body: bytes, content_type: str = "application/json") -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class TricklingServer:
    def __init__(
        self, answer: bytes | None = None, *, gap_s: float = 0.05, head_first: bool = True
    ) -> None:
        self.answer = answer if answer is not None else http_answer(TRICKLED_JSON)
        self.gap_s = gap_s
        self.head_first = head_first
        self.stop = threading.Event()
        self.answering = threading.Event()  # set once a request has been read
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _addr = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            self.answering.set()
            answer = self.answer
            if self.head_first:
                head, _, body = answer.partition(b"\r\n\r\n")
                conn.sendall(head + b"\r\n\r\n")
                answer = body
            for i in range(len(answer)):
                conn.sendall(answer[i : i + 1])
                if self.stop.wait(self.gap_s):
                    return

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> TricklingServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
