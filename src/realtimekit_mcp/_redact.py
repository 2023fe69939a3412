"""Redact secrets by value.

Every secret the process knows (API tokens, participant tokens, keys) is registered here once;
``redact`` replaces each registered value wherever it appears in a string. ``RedactingFilter``
applies the same rule to log records, so a secret never reaches a log line even when it was
embedded in an exception message or a URL.
"""

from __future__ import annotations

import bisect
import logging
import threading

_MASK = "[REDACTED]"
_MIN_LEN = 6  # shorter values would mask ordinary words

_lock = threading.Lock()
_secrets: set[str] = set()
# The registered secrets, longest first (so a secret containing another is masked whole); rebuilt
# lazily when the set has grown (it never shrinks) instead of sorted on every call, since every log
# record is redacted and the set grows with every participant token minted.
_ordered: tuple[str, ...] = ()


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that ``redact`` masks it from now on. Empty/short values are ignored."""
    if value and len(value) >= _MIN_LEN:
        with _lock:
            _secrets.add(value)


def _longest_first() -> tuple[str, ...]:
    global _ordered
    with _lock:
        if len(_ordered) != len(_secrets):
            _ordered = tuple(sorted(_secrets, key=len, reverse=True))
        return _ordered


def redact(text: str) -> str:
    """Return ``text`` with every registered secret replaced by ``[REDACTED]``."""
    if not _secrets or not text:
        return text
    secrets = _longest_first()
    # Secrets longer than the text cannot occur in it: start at the first one that fits.
    start = bisect.bisect_left(secrets, -len(text), key=lambda s: -len(s))
    for secret in secrets[start:]:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in the formatted message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            try:
                message = record.getMessage()
            except Exception:  # a malformed record: leave it to the handler
                return True
            record.msg = redact(message)
            record.args = None
            if record.exc_info and record.exc_info[1] is not None:
                # Format the traceback now, redacted, so handlers print the masked copy.
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
                record.exc_info = None
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Attach a ``RedactingFilter`` to every handler of ``logger`` (root by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
