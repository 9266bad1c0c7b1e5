"""Read the next chunk of a text file while the current one is typed and written.

The CSV and Parquet readers release Python's lock while they parse, and so does DuckDB while it types
and writes; running the reader one item ahead on a thread puts the second core to work, at the cost of
one more chunk in memory (the queue holds a single item).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetch(items: Iterator[T]) -> Iterator[T]:
    """Yield ``items`` in order, producing each next one on a background thread; errors re-raised here."""
    slot: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slot.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it in its own thread
            put(_Failure(exc))
            return
        put(_DONE)

    worker = threading.Thread(target=produce, name="sanctuary-atlas-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = slot.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
