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

from sharehub.audit.checkpoints import derive_development_signing_key, parse_signing_key
from sharehub.crypto import (
    derive_development_index_key,
    derive_development_keys,
    parse_index_key,
    parse_keys,
)

ENV_PREFIX = "SHAREHUB_"
# Variables under the prefix that are not settings of the running hub.
NOT_SETTINGS = frozenset(
    {
        "SHAREHUB_CONFIG",
        "SHAREHUB_TEST_DATABASE_URL",
        # The browser tests' own (tests/browser): which Chromium, and whether
        # a missing one fails the run instead of skipping it.
        "SHAREHUB_CHROMIUM",
        "SHAREHUB_REQUIRE_BROWSER",
    }
)

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
    # Where users reach the hub; redirect URIs and the API audience derive from it.
    public_url: str | None = None
    # The `aud` that agency systems' access tokens must carry (default: public_url).
    api_audience: str | None = None
    # "kid:base64,kid2:base64": AES-256 keys for encrypted fields; the first encrypts.
    encryption_keys: str | None = None
    # The same list read from a file, for keys a secrets manager or KMS agent
    # writes to a memory-backed volume (docs/privacy.md, "Keys").
    encryption_keys_file: str | None = None
    # base64 256-bit key for the blind index: exact-match lookup of identity
    # fields without decrypting. Kept apart from the encryption keys so that
    # rotating those leaves every index entry valid.
    blind_index_key: str | None = None
    # base64 Ed25519 private key seed that signs audit ledger checkpoints. Not
    # in the database: whoever can rewrite the database cannot sign.
    ledger_signing_key: str | None = None
    # Sign a checkpoint automatically after this many ledger entries.
    ledger_checkpoint_every: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 256
    # Sessions: defaults fit a shared office PC (locks after a short idle spell,
    # never outlives a working day).
    session_idle_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)] = 20
    session_absolute_hours: Annotated[int, msgspec.Meta(ge=1, le=24)] = 9
    # Development OpenID Provider mounted at /dev-idp (development and demo only).
    dev_provider: bool = False
    oidc_http_timeout_seconds: Annotated[float, msgspec.Meta(gt=0, le=60)] = 5.0
    # Where policies/model.conf and policies/policy.csv are (default: the checkout's policies/).
    policies_dir: Path | None = None
    # The legal gateways data file (default: the one shipped in sharehub/protocols/).
    gateways_file: Path | None = None
    # The retention schedule (default: the one shipped in sharehub/retention/).
    retention_file: str | None = None
    # Where attachments (documents, images, CCTV) are kept, encrypted, outside
    # the database (default: sharehub-files beside the working directory).
    attachments_dir: str | None = None
    # The largest attachment accepted, in bytes (default 20 MB).
    attachment_max_bytes: Annotated[int, msgspec.Meta(ge=1024, le=200 * 1024 * 1024)] = 20_971_520
    # Online applications for an ASB case review (the public form, no sign-in):
    # how many are recorded from one client address an hour and a day, and for
    # one area a day (counted in the database, so every worker shares them);
    # and the largest form accepted, in bytes.
    online_applications_per_address_per_hour: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 3
    online_applications_per_address_per_day: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 10
    online_applications_per_area_per_day: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 50
    online_application_max_body_bytes: Annotated[int, msgspec.Meta(ge=16_384, le=1_048_576)] = (
        65_536
    )

    def __post_init__(self) -> None:
        self.database_url = normalise_database_url(self.database_url)
        if self.public_url is None:
            self.public_url = f"http://{self.host}:{self.port}"
        self.public_url = self.public_url.rstrip("/")
        if not self.public_url.startswith(("http://", "https://")):
            raise ConfigError("SHAREHUB_PUBLIC_URL: must start with http:// or https://")
        if self.api_audience is None:
            self.api_audience = self.public_url
        if self.encryption_keys is not None and self.encryption_keys_file is not None:
            raise ConfigError(
                "SHAREHUB_ENCRYPTION_KEYS_FILE: set the keys or the keys file, not both"
            )
        self.field_keys  # noqa: B018 (parses the keys, so a bad one stops start-up)
        if self.blind_index_key is not None:
            try:
                parse_index_key(self.blind_index_key)
            except ValueError as exc:
                raise ConfigError(f"SHAREHUB_BLIND_INDEX_KEY: {exc}") from None
        if self.ledger_signing_key is not None:
            try:
                parse_signing_key(self.ledger_signing_key)
            except ValueError as exc:
                raise ConfigError(f"SHAREHUB_LEDGER_SIGNING_KEY: {exc}") from None

    @property
    def field_keys(self) -> dict[str, bytes]:
        if self.encryption_keys_file is not None:
            try:
                spec = Path(self.encryption_keys_file).read_text(encoding="utf-8")
            except OSError:
                raise ConfigError(
                    f"SHAREHUB_ENCRYPTION_KEYS_FILE: cannot read {self.encryption_keys_file}"
                ) from None
            # One key per line, or the same comma-separated list.
            name = "SHAREHUB_ENCRYPTION_KEYS_FILE"
        elif self.encryption_keys is not None:
            name, spec = "SHAREHUB_ENCRYPTION_KEYS", self.encryption_keys
        else:
            return derive_development_keys(self.secret_key)
        try:
            return parse_keys(spec.replace("\n", ","))
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None

    @property
    def ledger_key(self) -> bytes:
        if self.ledger_signing_key is None:
            return derive_development_signing_key(self.secret_key)
        return parse_signing_key(self.ledger_signing_key)

    @property
    def index_key(self) -> bytes:
        if self.blind_index_key is None:
            return derive_development_index_key(self.secret_key)
        return parse_index_key(self.blind_index_key)

    @property
    def attachments_path(self) -> Path:
        return Path(self.attachments_dir) if self.attachments_dir else Path.cwd() / "sharehub-files"

    @property
    def cookies_secure(self) -> bool:
        """Session cookies are Secure everywhere but development."""
        return self.env != "development"

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
    if settings.ledger_signing_key is None:
        problems.append(
            "SHAREHUB_LEDGER_SIGNING_KEY must be set (generate one with `sharehub keys new`)"
        )
    if settings.blind_index_key is None:
        problems.append(
            "SHAREHUB_BLIND_INDEX_KEY must be set (generate one with `sharehub keys new`)"
        )
    if settings.encryption_keys is None and settings.encryption_keys_file is None:
        problems.append(
            "SHAREHUB_ENCRYPTION_KEYS must be set (generate one with `sharehub keys new`)"
        )
    if settings.dev_provider:
        problems.append("SHAREHUB_DEV_PROVIDER is a development-only feature")
    if not (settings.public_url or "").startswith("https://"):
        problems.append("SHAREHUB_PUBLIC_URL must be an https:// URL")
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
