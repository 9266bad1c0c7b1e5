"""Child processes that load a heavy renderer while the parent computes the report, then do one job.

A fresh ``ddor`` spends as long starting its renderers as computing the report: WeasyPrint (Pango,
fontconfig, its CSS machinery) about half a second, the chart engine (vl-convert's JavaScript
engine) about half a second. Both hold Python's lock while they start, so a thread would stall the queries;
a child process started first runs on the machine's other core instead. Each renderer gets its own child:
with vl-convert loaded, WeasyPrint's layout in the same process ran about 1.5x slower (0.78 s -> 1.25 s
for the one-week report).

Protocol: the parent writes one JSON request to the child's standard input and closes it; the child
answers on standard output and exits 0, or writes one line to standard error and exits 1. Requests carry
the report's published (suppressed) aggregates only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any


class WorkerError(RuntimeError):
    """The child could not do its job; the message is the child's one line."""


class Worker:
    """Context manager around one child (``python -m module``); leaving the block unused stops it."""

    def __init__(self, module: str) -> None:
        self._module = module
        self._proc = subprocess.Popen(
            [sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def ask(self, request: dict[str, Any]) -> bytes:
        """Send the one request and wait for the answer."""
        self.send(request)
        return self.answer()

    def send(self, request: dict[str, Any]) -> None:
        """Send the one request without waiting: the child works on it while the caller goes on."""
        stdin, self._proc.stdin = self._proc.stdin, None  # closed here: ``communicate`` must not flush it
        assert stdin is not None
        try:
            stdin.write(json.dumps(request, default=str).encode())
            stdin.close()
        except BrokenPipeError:
            pass  # the child died; ``answer`` reports why

    def answer(self) -> bytes:
        """The answer to the request sent (waits for it)."""
        out, err = self._proc.communicate()
        if self._proc.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise WorkerError(lines[-1] if lines else f"{self._module} exited with {self._proc.returncode}")
        return out


def serve(warm: Callable[[], None], job: Callable[[dict[str, Any]], bytes]) -> int:
    """The child's side: start up, then answer the one request (``job``'s exceptions become the error line)."""
    warm()
    request = json.loads(sys.stdin.buffer.read() or b"null")
    if not isinstance(request, dict):
        return 1  # the parent went away without asking
    try:
        answer = job(request)
    except Exception as exc:
        # An OSError's line is its reason alone, not the file: the parent names the file its user asked for.
        line = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{type(exc).__name__}: {exc}"
        print(line, file=sys.stderr)
        return 1
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    return 0
