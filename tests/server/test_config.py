"""Backend selection and settings from flags and environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from realtimekit_mcp.config import ConfigError, resolve_backend, settings_from_args

CF = {"CLOUDFLARE_API_TOKEN": "cf-token-123456", "CLOUDFLARE_ACCOUNT_ID": "acc", "REALTIMEKIT_APP_ID": "app"}


def test_cloudflare_when_all_three_credentials_are_set() -> None:
    backend = resolve_backend(CF)
    assert backend.kind == "cloudflare" and backend.base_url == "https://api.cloudflare.com/client/v4"
    assert "cf-token-123456" not in repr(backend) and "cf-token" not in backend.describe()


def test_base_url_selects_a_compatible_endpoint() -> None:
    backend = resolve_backend({**CF, "REALTIMEKIT_BASE_URL": "http://127.0.0.1:8787/"})
    assert backend.kind == "url" and backend.base_url == "http://127.0.0.1:8787/client/v4"
    with pytest.raises(ConfigError, match="CLOUDFLARE_API_TOKEN"):
        resolve_backend({"REALTIMEKIT_BASE_URL": "http://127.0.0.1:8787"})


def test_embedded_by_default_with_an_overridable_data_dir(tmp_path: Path) -> None:
    assert resolve_backend({}, data_dir=tmp_path).data_dir == tmp_path
    assert resolve_backend({"REALTIMEKIT_DATA_DIR": str(tmp_path)}).data_dir == tmp_path
    assert resolve_backend(CF, forced="embedded", data_dir=tmp_path).kind == "embedded"


def test_forcing_cloudflare_without_credentials_names_what_is_missing() -> None:
    with pytest.raises(ConfigError, match="CLOUDFLARE_ACCOUNT_ID, REALTIMEKIT_APP_ID"):
        resolve_backend({"CLOUDFLARE_API_TOKEN": "x" * 10}, forced="cloudflare")


def test_flags_win_over_environment(tmp_path: Path) -> None:
    env = {"REALTIMEKIT_TOOLSETS": "all", "REALTIMEKIT_READ_ONLY": "1", "REALTIMEKIT_DATA_DIR": str(tmp_path)}
    assert settings_from_args(env=env).toolsets == ("all",)
    assert settings_from_args(env=env).read_only is True
    assert settings_from_args(env=env, toolsets="meetings,webhooks").toolsets == ("meetings", "webhooks")
