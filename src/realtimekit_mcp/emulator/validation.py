"""Joi-like validation of request bodies and query strings, with messages that name the field.

Messages follow the style of RealtimeKit's (Joi) errors: ``"name" is required``,
``"status" must be one of [ACTIVE, INACTIVE]``, ``"recording_config.max_seconds" must be greater
than or equal to 60``. Unknown keys are accepted and ignored, as RealtimeKit does.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from .errors import BadRequest

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s]+$")


def _fmt(path: str) -> str:
    return f'"{path or "value"}"'


class Spec:
    """A field specification; ``check`` returns the cleaned value or raises ``BadRequest``."""

    required: bool = False
    nullable: bool = False

    def check(self, value: Any, path: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass
class Str(Spec):
    """A string; optionally bounded, matched, a URI or a GUID."""

    required: bool = False
    nullable: bool = False
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    uri: bool = False
    guid: bool = False

    def check(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            raise BadRequest(f"{_fmt(path)} must be a string")
        if self.min_len is not None and len(value) < self.min_len:
            if self.min_len == 1:
                raise BadRequest(f"{_fmt(path)} is not allowed to be empty")
            raise BadRequest(f"{_fmt(path)} length must be at least {self.min_len} characters long")
        if self.max_len is not None and len(value) > self.max_len:
            raise BadRequest(
                f"{_fmt(path)} length must be less than or equal to {self.max_len} characters long"
            )
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            raise BadRequest(f"{_fmt(path)} with value {value!r} fails to match the required pattern")
        if self.uri and not _URI.match(value):
            raise BadRequest(f"{_fmt(path)} must be a valid uri")
        if self.guid and not is_uuid(value):
            raise BadRequest(f"{_fmt(path)} must be a valid GUID")
        return value


@dataclass
class Bool(Spec):
    """A JSON boolean."""

    required: bool = False
    nullable: bool = False

    def check(self, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            raise BadRequest(f"{_fmt(path)} must be a boolean")
        return value


@dataclass
class Num(Spec):
    """A JSON number (or integer), optionally bounded."""

    required: bool = False
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    def check(self, value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadRequest(f"{_fmt(path)} must be a number")
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise BadRequest(f"{_fmt(path)} must be a number")
        if self.integer and isinstance(value, float) and not value.is_integer():
            raise BadRequest(f"{_fmt(path)} must be an integer")
        if self.minimum is not None and value < self.minimum:
            raise BadRequest(f"{_fmt(path)} must be greater than or equal to {_num(self.minimum)}")
        if self.maximum is not None and value > self.maximum:
            raise BadRequest(f"{_fmt(path)} must be less than or equal to {_num(self.maximum)}")
        return int(value) if self.integer else value


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class Enum(Spec):
    """One of a fixed set of strings."""

    values: Sequence[str] = ()
    required: bool = False
    nullable: bool = False

    def check(self, value: Any, path: str) -> Any:
        if not isinstance(value, str) or value not in self.values:
            raise BadRequest(f"{_fmt(path)} must be one of [{', '.join(self.values)}]")
        return value


@dataclass
class Arr(Spec):
    """A JSON array of items of one spec."""

    items: Spec = field(default_factory=lambda: Any_())
    required: bool = False
    nullable: bool = False
    min_items: int | None = None
    max_items: int | None = None

    def check(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise BadRequest(f"{_fmt(path)} must be an array")
        if self.min_items is not None and len(value) < self.min_items:
            if self.min_items == 1:
                raise BadRequest(f"{_fmt(path)} must contain at least 1 items")
            raise BadRequest(f"{_fmt(path)} must contain at least {self.min_items} items")
        if self.max_items is not None and len(value) > self.max_items:
            raise BadRequest(f"{_fmt(path)} must contain less than or equal to {self.max_items} items")
        return [check_value(self.items, item, f"{path}[{i}]") for i, item in enumerate(value)]


@dataclass
class Obj(Spec):
    """A JSON object with known fields; unknown fields are kept as they are."""

    fields: Mapping[str, Spec] = field(default_factory=dict)
    required: bool = False
    nullable: bool = False
    values: Spec | None = None  # spec for every value of a free-form map

    def check(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise BadRequest(f"{_fmt(path)} must be of type object")
        out: dict[str, Any] = dict(value)
        for name, spec in self.fields.items():
            sub = f"{path}.{name}" if path else name
            if name not in value:
                if spec.required:
                    raise BadRequest(f"{_fmt(sub)} is required")
                continue
            out[name] = check_value(spec, value[name], sub)
        if self.values is not None:
            for key, item in value.items():
                if key not in self.fields:
                    out[key] = check_value(self.values, item, f"{path}.{key}" if path else key)
        return out


@dataclass
class Any_(Spec):
    """Any JSON value."""

    required: bool = False
    nullable: bool = True

    def check(self, value: Any, path: str) -> Any:
        return value


def check_value(spec: Spec, value: Any, path: str) -> Any:
    """Validate one value against ``spec`` (``None`` passes only when the spec is nullable)."""
    if value is None:
        if spec.nullable:
            return None
        raise BadRequest(f"{_fmt(path)} must be {_kind(spec)}")
    return spec.check(value, path)


def _kind(spec: Spec) -> str:
    return {
        Str: "a string",
        Bool: "a boolean",
        Num: "a number",
        Arr: "an array",
        Obj: "of type object",
    }.get(type(spec), "a valid value")


def validate_body(spec: Obj, body: Any) -> dict[str, Any]:
    """Validate a request body (a JSON object) against ``spec``."""
    if not isinstance(body, dict):
        raise BadRequest('"value" must be of type object')
    result: dict[str, Any] = spec.check(body, "")
    return result


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a canonical (hyphenated, 36-character) UUID."""
    if len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def require_uuid(value: str, name: str) -> str:
    """Reject a path id that is not a UUID with a 400 naming the parameter."""
    if not is_uuid(value):
        raise BadRequest(f'"{name}" must be a valid GUID')
    return value.lower()


# -- query strings -----------------------------------------------------------------------------
def query_int(
    raw: str | None, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """Parse an integer query parameter (``None`` when absent or empty)."""
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        try:
            float(raw)
        except ValueError:
            raise BadRequest(f'"{name}" must be a number') from None
        raise BadRequest(f'"{name}" must be an integer') from None
    if minimum is not None and value < minimum:
        raise BadRequest(f'"{name}" must be greater than or equal to {minimum}')
    if maximum is not None and value > maximum:
        raise BadRequest(f'"{name}" must be less than or equal to {maximum}')
    return value


def query_bool(raw: str | None, name: str) -> bool | None:
    """Parse a ``true``/``false`` query parameter."""
    if raw is None or raw == "":
        return None
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise BadRequest(f'"{name}" must be a boolean')


def query_enum(raw: str | None, name: str, values: Sequence[str]) -> str | None:
    """Parse a query parameter that must be one of ``values``."""
    if raw is None or raw == "":
        return None
    if raw not in values:
        raise BadRequest(f'"{name}" must be one of [{", ".join(values)}]')
    return raw


def query_enum_list(raws: Sequence[str], name: str, values: Sequence[str]) -> list[str]:
    """Parse an array query parameter sent repeated (``a=x&a=y``) and/or comma-separated (``a=x,y``)."""
    out: list[str] = []
    for raw in raws:
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            if part not in values:
                raise BadRequest(f'"{name}" must be one of [{", ".join(values)}]')
            if part not in out:
                out.append(part)
    return out


def query_datetime(raw: str | None, name: str) -> datetime | None:
    """Parse an ISO-8601 date-time query parameter (naive values are taken as UTC)."""
    if raw is None or raw == "":
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise BadRequest(f'"{name}" must be a valid date') from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def query_date(raw: str | None, name: str) -> date | None:
    """Parse a ``YYYY-MM-DD`` query parameter."""
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f'"{name}" must be in YYYY-MM-DD format') from None


def query_unix(raw: str | None, name: str) -> datetime | None:
    """Parse a unix-seconds query parameter."""
    value = query_int(raw, name, minimum=0, maximum=253402300799)
    return None if value is None else datetime.fromtimestamp(value, UTC)


def query_range(raw: str | None, name: str) -> tuple[int | None, int | None] | None:
    """Parse a ``"min:max"`` range (either side may be empty; ``"n"`` means exactly n)."""
    if raw is None or raw == "":
        return None
    low, sep, high = raw.partition(":")
    try:
        lo = int(low) if low else None
        hi = int(high) if sep and high else (lo if not sep else None)
    except ValueError:
        raise BadRequest(f'"{name}" must be a range like "1:10"') from None
    return lo, hi
