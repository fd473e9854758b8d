"""Settings: environment variables ``SHAREHUB_*`` over an optional TOML file.

Every setting has one name, used as the TOML key and, upper-cased with the
``SHAREHUB_`` prefix, as the environment variable. Bad values stop the process
with a message naming the variable; production refuses development-only
features and default secrets.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec

ENV_PREFIX = "SHAREHUB_"
# Variables under the prefix that are not settings of the running hub.
NOT_SETTINGS = frozenset({"SHAREHUB_CONFIG", "SHAREHUB_TEST_DATABASE_URL"})

# Known to be insecure: anyone with the source knows it. Refused in production.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me-0000"

Environment = Literal["development", "demo", "production"]


class ConfigError(ValueError):
    """A setting is missing or wrong; the message says which and why."""


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'sharehub.db'}"


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    env: Environment = "development"
    database_url: str = msgspec.field(default_factory=default_database_url)
    secret_key: Annotated[str, msgspec.Meta(min_length=16)] = DEVELOPMENT_SECRET_KEY
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    sql_echo: bool = False
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    max_request_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=64 * 1024 * 1024)] = 1_048_576

    def __post_init__(self) -> None:
        self.database_url = normalise_database_url(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


# Drivers the hub speaks to; plain URLs are mapped to the async driver.
_URL_SCHEMES = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def normalise_database_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _URL_SCHEMES:
        raise ConfigError("SHAREHUB_DATABASE_URL: expected a sqlite:/// or postgresql:// URL")
    return f"{_URL_SCHEMES[scheme]}://{rest}"


def _production_problems(settings: Settings) -> list[str]:
    problems = []
    if settings.secret_key == DEVELOPMENT_SECRET_KEY or len(settings.secret_key) < 32:
        problems.append(
            "SHAREHUB_SECRET_KEY must be set to a random value of 32 characters or more"
        )
    if settings.sql_echo:
        problems.append(
            "SHAREHUB_SQL_ECHO is a development-only feature (it can log personal data)"
        )
    if settings.is_sqlite:
        problems.append("SHAREHUB_DATABASE_URL must point at PostgreSQL in production")
    return problems


def _from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    fields = set(Settings.__struct_fields__)
    values: dict[str, str] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name in NOT_SETTINGS:
            continue
        if name.startswith(ENV_PREFIX + "TEST_"):
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in fields:
            # A typo such as SHAREHUB_ENVV=production must not pass silently.
            raise ConfigError(f"{name}: not a sharehub setting")
        values[key] = value
    return values


def _from_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"SHAREHUB_CONFIG: no such file {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"SHAREHUB_CONFIG: {path} is not valid TOML ({exc})") from None


def load_settings(
    environ: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
    **overrides: object,
) -> Settings:
    """Settings from a TOML file, then environment variables, then ``overrides``."""
    environ = os.environ if environ is None else environ
    config_file = config_file or environ.get("SHAREHUB_CONFIG")
    raw: dict[str, object] = {}
    if config_file:
        raw.update(_from_toml(Path(config_file)))
    raw.update(_from_environment(environ))
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(_explain(exc)) from None
    if settings.env == "production":
        problems = _production_problems(settings)
        if problems:
            raise ConfigError("refusing to start in production: " + "; ".join(problems))
    return settings


def _explain(exc: msgspec.ValidationError) -> str:
    message = str(exc)
    # msgspec says "... - at `$.port`"; name the variable instead.
    if " - at `$." in message:
        reason, _, where = message.rpartition(" - at `$.")
        field = where.rstrip("`").split(".")[0].split("[")[0]
        return f"{ENV_PREFIX}{field.upper()}: {reason}"
    if "unknown field" in message:
        field = message.split("`")[1]
        return f"{field}: not a sharehub setting"
    return message
