"""Settings: HOTLINE_* environment variables, optionally a TOML file with the same keys.

Settings are built by the caller (the CLI or a test) and handed to create_app(); nothing
reads the environment at import time.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREFIX = "HOTLINE_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names it."""


@dataclass(frozen=True)
class Settings:
    # Storage and data
    database_url: str = "sqlite:///var/hotline.sqlite3"
    rules_dir: Path = PROJECT_ROOT / "routing_rules"
    auto_migrate: bool = True
    # Security
    secret_key: str = ""
    telephony_secret: str = ""
    # /metrics: when set, scrapers send it as a bearer token (else /metrics is open)
    metrics_token: str = ""
    # The OpenAPI document: to logged-in users only unless this is true
    openapi_public: bool = False
    session_max_age: int = 8 * 3600
    cookie_secure: bool = False
    # Links in notifications
    base_url: str = "http://127.0.0.1:8080"
    # Mail
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"
    mail_from: str = "hotline@localhost"
    # SMS gateway (HTTP)
    sms_gateway_url: str = ""
    # Sends (SMTP, webhooks, SMS gateway) in a child process, on another core (notify/sender.py)
    sender_process: bool = False
    # Scheduling
    sweep_interval: float = 3.0
    # Several nodes: this node's name on its claims, heartbeats and events ("": the host name
    # and port of `hotline serve`, or the host name and a random suffix), and how long a
    # claim lasts unless its node renews it (a dead node's work is taken after it ends).
    node_id: str = ""
    claim_lease: float = 6.0
    # Where the cron job writes the periodic reports ahead of their deadlines
    reports_dir: Path = Path("var/reports")
    # Presentation
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: str = "vi"
    # Limits
    max_body_bytes: int = 1024 * 1024
    # Seconds a request body may take to arrive; a slower or never-ending one gets 408
    body_timeout: float = 30.0
    log_level: str = "INFO"
    # Data protection: closed calls are redacted this many days after their last change (0 keeps).
    retention_days: int = 0
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        toml_path: str | Path | None = None,
        **overrides: Any,
    ) -> Settings:
        """Defaults, then the TOML file, then HOTLINE_* variables, then explicit overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        toml_path = toml_path or env.get(PREFIX + "CONFIG")
        if toml_path:
            try:
                with open(toml_path, "rb") as fh:
                    data = tomllib.load(fh)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{toml_path}: {exc}") from exc
            for key, value in data.items():
                values[_field_name(key, source=str(toml_path))] = value
        for key, value in env.items():
            if (
                key.startswith(PREFIX)
                and key not in (PREFIX + "CONFIG",)
                and not key.startswith(PREFIX + "TEST_")
            ):
                name = key[len(PREFIX) :].lower()
                if name in FIELD_NAMES:
                    values[name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{name: _coerce(name, value) for name, value in values.items()})

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


FIELD_NAMES = {f.name for f in dataclasses.fields(Settings)} - {"extra"}
FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(Settings)}
CHOICES = {"smtp_tls": ("none", "starttls", "tls"), "locale": ("vi", "en")}


def env_names() -> list[str]:
    """Every environment variable the service reads (docs/OPERATIONS.md lists them all)."""
    return sorted(PREFIX + name.upper() for name in FIELD_NAMES) + [PREFIX + "CONFIG"]


def _field_name(key: str, *, source: str) -> str:
    name = key.lower().removeprefix("hotline_")
    if name not in FIELD_NAMES:
        raise SettingsError(f"{source}: unknown setting {key!r}")
    return name


def _coerce(name: str, value: Any) -> Any:
    kind = FIELD_TYPES[name]
    label = PREFIX + name.upper()
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(value)
        if kind == "int":
            return int(value)
        if kind == "float":
            result = float(value)
            if result <= 0:
                raise ValueError(value)
            return result
        if kind == "Path":
            return Path(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{label}: {value!r} is not a valid {kind}") from exc
    text = str(value)
    if name in CHOICES and text not in CHOICES[name]:
        raise SettingsError(f"{label}: {text!r} is not one of {', '.join(CHOICES[name])}")
    return text
