"""The public surface: exports, the error tree of contracts.md, documented methods."""

from __future__ import annotations

import inspect

import pytest

import realtimekit_mcp.client as pkg
from realtimekit_mcp.client import RealtimeKitClient, errors
from realtimekit_mcp.client._resource import Resource


def test_every_export_exists() -> None:
    missing = [name for name in pkg.__all__ if not hasattr(pkg, name)]
    assert missing == []


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (errors.APIError, errors.RealtimeKitError),
        (errors.BadRequestError, errors.APIError),
        (errors.AuthenticationError, errors.APIError),
        (errors.PermissionDeniedError, errors.APIError),
        (errors.NotFoundError, errors.APIError),
        (errors.ConflictError, errors.APIError),
        (errors.RateLimitError, errors.APIError),
        (errors.ServerError, errors.APIError),
        (errors.ResponseFormatError, errors.APIError),
        (errors.APIConnectionError, errors.RealtimeKitError),
        (errors.APITimeoutError, errors.APIConnectionError),
        (errors.RequestValidationError, errors.RealtimeKitError),
        (errors.RequestValidationError, ValueError),
    ],
)
def test_error_tree_matches_the_contract(cls: type, parent: type) -> None:
    assert issubclass(cls, parent)


def test_rate_limit_error_carries_retry_after() -> None:
    err = errors.RateLimitError("slow down", status_code=429, retry_after=2.5)
    assert err.retry_after == 2.5
    assert repr(err) == "RateLimitError('slow down', status_code=429, retry_after=2.5)"


def test_every_resource_method_is_documented_and_async() -> None:
    client = RealtimeKitClient(account_id="a", app_id="b", api_token="doc-test-token")
    groups = {name: value for name, value in vars(client).items() if isinstance(value, Resource)}
    assert set(groups) == {
        "apps", "meetings", "participants", "active_session", "presets",
        "sessions", "recordings", "livestreams", "analytics", "webhooks",
    }  # fmt: skip
    count = 0
    for group in groups.values():
        for name, method in inspect.getmembers(group, inspect.ismethod):
            if name.startswith("_"):
                continue
            count += 1
            assert method.__doc__, f"{type(group).__name__}.{name} has no docstring"
            if not name.startswith("iter"):
                assert inspect.iscoroutinefunction(method), name
    assert count >= 61
