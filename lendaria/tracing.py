"""One correlation id per pipeline run, carried into every task, engine call, log record and
database write.

The id is the pipeline's Prefect flow run id when there is one (so a database row, a log line and
the run in the UI share it), else a fresh UUID. :func:`correlation` sets it for a block of code;
Prefect copies context variables into the threads that run tasks, so tasks see it too.
:func:`install_log_records` makes every ``logging.LogRecord`` carry ``record.correlation_id``.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_CURRENT: ContextVar[str | None] = ContextVar("lendaria_correlation_id", default=None)
_installed = False


def new_correlation_id() -> str:
    return str(uuid.uuid4())


def current_correlation_id() -> str | None:
    return _CURRENT.get()


@contextmanager
def correlation(correlation_id: str) -> Iterator[str]:
    """Run the block with ``correlation_id`` as the current id (nested blocks restore the outer one)."""
    token = _CURRENT.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _CURRENT.reset(token)


def install_log_records() -> None:
    """Every log record created from now on has ``correlation_id`` (``"-"`` outside a run)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.correlation_id = _CURRENT.get() or "-"
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
