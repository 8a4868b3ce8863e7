"""Logging helpers: the console gets one line per event, the log file the details."""

from __future__ import annotations

import logging


class OneLine(logging.Formatter):
    """A formatter that leaves tracebacks out: a user at the terminal reads what
    failed in one line; the traceback goes to the file handler."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.msg} ({type(exc).__name__}: {exc})"
        record.exc_info, record.exc_text = None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
