"""Log records of level ERROR or above from any thread: the test servers run in-process, in a
thread, so a failure they log (and survive) is still seen by the test."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


class ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self, n: int = 3) -> str:
        """The first `n` records, formatted with their tracebacks."""
        return "\n".join(map(logging.Formatter().format, self.records[:n]))


@contextlib.contextmanager
def captured_errors() -> Iterator[ErrorRecords]:
    handler = ErrorRecords()
    # uvicorn's loggers do not propagate to the root logger: listen to both
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
