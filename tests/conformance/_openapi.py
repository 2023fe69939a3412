"""Cloudflare's RealtimeKit OpenAPI, loaded for contract tests.

The definition (``openapi/realtimekit.openapi.yaml``, a verbatim copy of Cloudflare's) is read once.
Responses are validated with JSON Schema 2020-12, which is the base of the OpenAPI 3.1/3.2 schema
dialect (the OpenAPI vocabulary adds only annotations: ``discriminator``, ``xml``, ``example``...).
``$ref``s resolve inside the definition through a ``referencing`` registry. ``format`` is asserted
for the formats the definition uses (uuid, date-time, uri, int64) with small checkers of our own, so
a malformed timestamp or id is a failure rather than an annotation.

Where the definition's own schema is wrong, ``SPEC_EXCEPTIONS`` lists the exact
(operation, status, instance path, keyword) that is waived and why; every entry must be used by the
test suite, so a stale waiver fails too.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped]
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).parent / "openapi" / "realtimekit.openapi.yaml"
SPEC_URI = "urn:realtimekit-openapi"
PREFIX = "/accounts/{account_id}/realtime/kit"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed OpenAPI document."""
    with SPEC_PATH.open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.safe_load(fh)
    return spec


@dataclass(frozen=True)
class Operation:
    """One (method, path) of the definition."""

    method: str  # upper case
    path: str  # full template, e.g. /accounts/{account_id}/realtime/kit/{app_id}/meetings
    operation_id: str
    tags: tuple[str, ...]
    pointer: str = field(repr=False)  # JSON pointer of the operation object

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def path_regex(self) -> re.Pattern[str]:
        """A regex matching concrete paths of this template (one segment per parameter)."""
        parts = re.split(r"(\{[^}]+\})", self.path)
        body = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        return re.compile(f"^{body}$")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@functools.cache
def operations() -> tuple[Operation, ...]:
    """Every operation in the definition, in document order."""
    ops: list[Operation] = []
    for path, item in load_spec()["paths"].items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            ops.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=op["operationId"],
                    tags=tuple(op.get("tags", ())),
                    pointer=f"/paths/{_escape(path)}/{method}",
                )
            )
    return tuple(ops)


def _resolve_pointer(pointer: str) -> Any:
    node: Any = load_spec()
    for raw in pointer.lstrip("/").split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def find_operation(method: str, concrete_path: str) -> Operation | None:
    """The operation whose template matches ``concrete_path`` (literal segments win over params)."""
    matches = [
        op for op in operations() if op.method == method.upper() and op.path_regex().match(concrete_path)
    ]
    if not matches:
        return None
    # Prefer the template with the most literal characters (".../webhooks/all" over ".../{webhook_id}").
    return max(matches, key=lambda op: len(re.sub(r"\{[^}]+\}", "", op.path)))


def response_schema_pointer(op: Operation, status: int) -> str | None:
    """JSON pointer to the ``application/json`` schema documented for ``status`` (or None).

    Follows one level of ``$ref`` to ``#/components/responses/...``. Falls back to the ``default``
    and ``NXX`` entries like OpenAPI does.
    """
    responses: dict[str, Any] = _resolve_pointer(op.pointer)["responses"]
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key not in responses:
            continue
        pointer = f"{op.pointer}/responses/{_escape(key)}"
        response = responses[key]
        if "$ref" in response:
            pointer = response["$ref"].lstrip("#")
            response = _resolve_pointer(pointer)
        content = response.get("content", {})
        if "application/json" not in content or "schema" not in content["application/json"]:
            return None
        return f"{pointer}/content/{_escape('application/json')}/schema"
    return None


GENERIC_ERROR_POINTER = "/components/schemas/realtimekit_GenericErrorResponse"


# --- format checkers (our own; jsonschema's need optional packages) --------------------------------

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)  # type: ignore[untyped-decorator]
def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return str(uuid.UUID(value)) == value.lower() and len(value) == 36


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@FORMATS.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri", raises=ValueError)  # type: ignore[untyped-decorator]
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or bool(parts.path)) and " " not in value


@FORMATS.checks("int64")  # type: ignore[untyped-decorator]
def _is_int64(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return True
    return -(2**63) <= value < 2**63


@functools.cache
def _registry() -> Registry:
    resource: Resource[Any] = Resource.from_contents(load_spec(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
    return registry


@functools.cache
def validator_for(pointer: str) -> Draft202012Validator:
    """A validator for the schema at ``pointer`` inside the definition."""
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"}, registry=_registry(), format_checker=FORMATS
    )


# --- explicit waivers for errors in the definition's own schemas -----------------------------------


@dataclass(frozen=True)
class SpecException:
    """One waived schema error: where the definition is wrong, and why we believe so."""

    operation_id: str
    status: int
    instance_path: str  # regex over "/"-joined path of the failing instance, e.g. r"^/data/disabled$"
    keyword: str  # the JSON Schema keyword that fails, e.g. "type"
    reason: str

    def matches(self, operation_id: str, status: int, error: ValidationError) -> bool:
        path = "/" + "/".join(str(p) for p in error.absolute_path)
        return (
            self.operation_id == operation_id
            and self.status == status
            and self.keyword == error.validator
            and re.search(self.instance_path, path) is not None
        )


SPEC_EXCEPTIONS: tuple[SpecException, ...] = ()

USED_EXCEPTIONS: set[SpecException] = set()


def iter_errors(pointer: str, instance: Any) -> Iterator[ValidationError]:
    """Leaf validation errors of ``instance`` against the schema at ``pointer``.

    ``allOf``/``anyOf``/``oneOf`` failures are reported through their deepest cause so that a
    waiver can name the exact field.
    """
    for error in validator_for(pointer).iter_errors(instance):
        yield from _leaves(error)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    if error.context and error.validator in ("allOf", "$ref"):
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


def schema_errors(op: Operation, status: int, body: Any) -> list[str]:
    """Human-readable schema errors of a response, minus waived ones.

    Success responses are checked against the documented schema for their status. Error
    responses are checked against the documented schema if there is one, else against
    ``realtimekit_GenericErrorResponse`` (the definition's error envelope): most operations
    document no error response at all, but RealtimeKit answers errors in that one shape.
    Returns an empty list when the body conforms.
    """
    pointer = response_schema_pointer(op, status)
    if pointer is None:
        if status < 400:
            return [f"{op.method} {op.path}: no JSON schema documented for status {status}"]
        pointer = GENERIC_ERROR_POINTER
    problems: list[str] = []
    for error in iter_errors(pointer, body):
        waiver = next((w for w in SPEC_EXCEPTIONS if w.matches(op.operation_id, status, error)), None)
        if waiver is not None:
            USED_EXCEPTIONS.add(waiver)
            continue
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        problems.append(f"{op.operation_id} {status} at {where}: {error.message[:300]}")
    return problems
