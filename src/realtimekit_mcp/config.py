"""Settings of the MCP server: which backend it talks to and which tools it exposes.

Everything here is plain data computed from the environment and command-line flags; nothing
touches the network or imports the client or the emulator.

Backend selection (first match wins unless ``--backend`` forces one):

1. ``REALTIMEKIT_BASE_URL`` set: a standalone emulator or any compatible endpoint (``url``).
2. ``CLOUDFLARE_API_TOKEN`` + ``CLOUDFLARE_ACCOUNT_ID`` + ``REALTIMEKIT_APP_ID`` set: Cloudflare.
3. Otherwise the embedded emulator (``embedded``), in-process, with its state in the user data
   directory (``REALTIMEKIT_DATA_DIR`` or ``--data-dir`` overrides it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from realtimekit_mcp._redact import register_secret

BackendKind = Literal["cloudflare", "url", "embedded"]

CLOUDFLARE_API_BASE = "https://api.cloudflare.com/client/v4"
EMBEDDED_ORIGIN = "http://emulator.local"


class ConfigError(ValueError):
    """The settings are incomplete or contradictory; the message says what to set."""


@dataclass(frozen=True)
class BackendSettings:
    """Where RealtimeKit requests go. ``api_token`` is a secret: it is never part of ``repr``."""

    kind: BackendKind
    base_url: str
    account_id: str | None = None
    app_id: str | None = None
    api_token: str | None = field(default=None, repr=False)
    data_dir: Path | None = None
    join_url_template: str | None = None

    def describe(self) -> str:
        """One human line naming the backend (no secrets)."""
        if self.kind == "cloudflare":
            return f"Cloudflare RealtimeKit (account {self.account_id}, app {self.app_id})"
        if self.kind == "url":
            return f"RealtimeKit-compatible endpoint at {self.base_url} (app {self.app_id})"
        return f"embedded RealtimeKit emulator (state in {self.data_dir})"


@dataclass(frozen=True)
class ServerSettings:
    """What the MCP server exposes and how it behaves."""

    backend: BackendSettings
    toolsets: tuple[str, ...] = ("default",)
    tools: tuple[str, ...] = ()
    exclude_tools: tuple[str, ...] = ()
    read_only: bool = False
    allow_destructive: bool = False


def _split(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else [p for v in value for p in v.split(",")]
    return tuple(p.strip() for p in items if p.strip())


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def default_data_dir() -> Path:
    """The user data directory of the embedded emulator (platform-specific)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("realtimekit-mcp", appauthor=False))


def resolve_backend(
    env: Mapping[str, str] | None = None,
    *,
    forced: BackendKind | None = None,
    data_dir: str | Path | None = None,
) -> BackendSettings:
    """Pick the backend from the environment (or ``forced``); raise ``ConfigError`` when incomplete."""
    env = os.environ if env is None else env
    token = env.get("CLOUDFLARE_API_TOKEN") or None
    account = env.get("CLOUDFLARE_ACCOUNT_ID") or None
    app = env.get("REALTIMEKIT_APP_ID") or None
    base_url = (env.get("REALTIMEKIT_BASE_URL") or "").rstrip("/") or None
    join_template = env.get("REALTIMEKIT_JOIN_URL_TEMPLATE") or None
    register_secret(token)

    kind: BackendKind
    if forced is not None:
        kind = forced
    elif base_url:
        kind = "url"
    elif token and account and app:
        kind = "cloudflare"
    else:
        kind = "embedded"

    if kind == "cloudflare":
        missing = [
            n
            for n, v in (
                ("CLOUDFLARE_API_TOKEN", token),
                ("CLOUDFLARE_ACCOUNT_ID", account),
                ("REALTIMEKIT_APP_ID", app),
            )
            if not v
        ]
        if missing:
            raise ConfigError(f"the Cloudflare backend needs {', '.join(missing)} in the environment")
        return BackendSettings(
            kind="cloudflare",
            base_url=base_url or CLOUDFLARE_API_BASE,
            account_id=account,
            app_id=app,
            api_token=token,
            join_url_template=join_template,
        )
    if kind == "url":
        if not base_url:
            raise ConfigError(
                "--backend url needs REALTIMEKIT_BASE_URL (e.g. http://127.0.0.1:8787/client/v4)"
            )
        missing = [
            n
            for n, v in (
                ("CLOUDFLARE_API_TOKEN", token),
                ("CLOUDFLARE_ACCOUNT_ID", account),
                ("REALTIMEKIT_APP_ID", app),
            )
            if not v
        ]
        if missing:
            raise ConfigError(
                f"REALTIMEKIT_BASE_URL also needs {', '.join(missing)} "
                "(the standalone emulator prints all of them when it starts)"
            )
        if not base_url.endswith("/client/v4"):
            base_url = base_url + "/client/v4"
        return BackendSettings(
            kind="url",
            base_url=base_url,
            account_id=account,
            app_id=app,
            api_token=token,
            join_url_template=join_template,
        )
    directory = Path(data_dir or env.get("REALTIMEKIT_DATA_DIR") or default_data_dir()).expanduser()
    return BackendSettings(
        kind="embedded",
        base_url=f"{EMBEDDED_ORIGIN}/client/v4",
        data_dir=directory,
        join_url_template=join_template,
    )


def load_embedded_identity(data_dir: Path) -> tuple[str, str, str]:
    """Return (account_id, app_id, api_token) of the embedded emulator, created once per data dir.

    They are kept in ``identity.json`` beside the emulator's database so that a restart keeps the
    same ids (and meetings created earlier stay reachable).
    """
    import json

    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "identity.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        account, app, token = str(data["account_id"]), str(data["app_id"]), str(data["api_token"])
    except (OSError, ValueError, KeyError, TypeError):
        account, app, token = secrets.token_hex(16), secrets.token_hex(16), secrets.token_urlsafe(32)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"account_id": account, "app_id": app, "api_token": token}), encoding="utf-8"
        )
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    register_secret(token)
    return account, app, token


def settings_from_args(
    *,
    env: Mapping[str, str] | None = None,
    toolsets: str | Sequence[str] | None = None,
    tools: str | Sequence[str] | None = None,
    exclude_tools: str | Sequence[str] | None = None,
    read_only: bool = False,
    allow_destructive: bool = False,
    backend: BackendKind | None = None,
    data_dir: str | Path | None = None,
) -> ServerSettings:
    """Build ``ServerSettings`` from flags, falling back to ``REALTIMEKIT_*`` environment variables."""
    env = os.environ if env is None else env
    return ServerSettings(
        backend=resolve_backend(env, forced=backend, data_dir=data_dir),
        toolsets=_split(toolsets) or _split(env.get("REALTIMEKIT_TOOLSETS")) or ("default",),
        tools=_split(tools) or _split(env.get("REALTIMEKIT_TOOLS")),
        exclude_tools=_split(exclude_tools) or _split(env.get("REALTIMEKIT_EXCLUDE_TOOLS")),
        read_only=read_only or _truthy(env.get("REALTIMEKIT_READ_ONLY")),
        allow_destructive=allow_destructive or _truthy(env.get("REALTIMEKIT_ALLOW_DESTRUCTIVE")),
    )
