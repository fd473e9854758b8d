"""Settings from SHAREHUB_* variables and a TOML file; production refuses unsafe ones."""

from __future__ import annotations

import pytest

from sharehub.config import DEVELOPMENT_SECRET_KEY, ConfigError, load_settings
from sharehub.crypto import new_key

STRONG_SECRET = "k" * 40
PG = "postgresql://hub@db.internal/sharehub"


def test_defaults_are_development_on_sqlite_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.env == "development"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'sharehub.db'}"
    assert settings.secret_key == DEVELOPMENT_SECRET_KEY


def test_environment_values_are_parsed_and_urls_normalised():
    settings = load_settings(
        environ={"SHAREHUB_PORT": "9000", "SHAREHUB_SQL_ECHO": "true", "SHAREHUB_DATABASE_URL": PG}
    )
    assert settings.port == 9000 and settings.sql_echo is True
    assert settings.database_url == "postgresql+asyncpg://hub@db.internal/sharehub"


@pytest.mark.parametrize(
    "environ,named",
    [
        ({"SHAREHUB_PORT": "eighty"}, "SHAREHUB_PORT"),
        ({"SHAREHUB_PORT": "70000"}, "SHAREHUB_PORT"),
        ({"SHAREHUB_ENV": "staging"}, "SHAREHUB_ENV"),
        ({"SHAREHUB_WORKERS": "0"}, "SHAREHUB_WORKERS"),
        ({"SHAREHUB_DATABASE_URL": "mysql://x/y"}, "SHAREHUB_DATABASE_URL"),
        ({"SHAREHUB_ENVV": "production"}, "SHAREHUB_ENVV"),
        ({"SHAREHUB_SECRET_KEY": "short"}, "SHAREHUB_SECRET_KEY"),
        ({"SHAREHUB_ENCRYPTION_KEYS": "k1:dG9vLXNob3J0"}, "SHAREHUB_ENCRYPTION_KEYS"),
        ({"SHAREHUB_PUBLIC_URL": "hub.example.org"}, "SHAREHUB_PUBLIC_URL"),
        ({"SHAREHUB_SESSION_IDLE_MINUTES": "0"}, "SHAREHUB_SESSION_IDLE_MINUTES"),
    ],
)
def test_bad_values_name_the_variable(environ, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(environ=environ)


def test_toml_file_then_environment(tmp_path):
    config = tmp_path / "sharehub.toml"
    config.write_text('port = 8100\nlog_level = "WARNING"\n')
    settings = load_settings(environ={"SHAREHUB_CONFIG": str(config), "SHAREHUB_PORT": "8200"})
    assert settings.port == 8200 and settings.log_level == "WARNING"


def test_toml_file_errors_are_clear(tmp_path):
    config = tmp_path / "sharehub.toml"
    config.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="prot: not a sharehub setting"):
        load_settings(environ={}, config_file=config)
    config.write_text("port = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(environ={}, config_file=config)
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(environ={}, config_file=tmp_path / "missing.toml")


def test_production_refuses_default_secret_sqlite_and_development_features():
    with pytest.raises(ConfigError) as refused:
        load_settings(environ={"SHAREHUB_ENV": "production", "SHAREHUB_SQL_ECHO": "1"})
    message = str(refused.value)
    assert "SHAREHUB_SECRET_KEY" in message
    assert "PostgreSQL" in message
    assert "SHAREHUB_SQL_ECHO" in message
    assert "SHAREHUB_ENCRYPTION_KEYS" in message
    assert "SHAREHUB_BLIND_INDEX_KEY" in message
    assert "SHAREHUB_LEDGER_SIGNING_KEY" in message
    assert "SHAREHUB_PUBLIC_URL" in message


def test_production_starts_with_safe_settings():
    settings = load_settings(
        environ={
            "SHAREHUB_ENV": "production",
            "SHAREHUB_SECRET_KEY": STRONG_SECRET,
            "SHAREHUB_DATABASE_URL": PG,
            "SHAREHUB_ENCRYPTION_KEYS": f"k1:{new_key()}",
            "SHAREHUB_BLIND_INDEX_KEY": new_key(),
            "SHAREHUB_LEDGER_SIGNING_KEY": new_key(),
            "SHAREHUB_PUBLIC_URL": "https://hub.example.org",
        }
    )
    assert settings.env == "production"
    assert settings.cookies_secure and settings.api_audience == "https://hub.example.org"


def test_keys_can_come_from_a_file_a_secrets_manager_writes(tmp_path):
    first, second = new_key(), new_key()
    keys = tmp_path / "keys"
    keys.write_text(f"k2:{second}\nk1:{first}\n")
    settings = load_settings(environ={"SHAREHUB_ENCRYPTION_KEYS_FILE": str(keys)})
    assert list(settings.field_keys) == ["k2", "k1"]
    with pytest.raises(ConfigError, match="not both"):
        load_settings(
            environ={
                "SHAREHUB_ENCRYPTION_KEYS_FILE": str(keys),
                "SHAREHUB_ENCRYPTION_KEYS": f"k1:{first}",
            }
        )
    with pytest.raises(ConfigError, match="SHAREHUB_ENCRYPTION_KEYS_FILE: cannot read"):
        load_settings(environ={"SHAREHUB_ENCRYPTION_KEYS_FILE": str(tmp_path / "missing")})
    keys.write_text("k1:short")
    with pytest.raises(ConfigError, match="SHAREHUB_ENCRYPTION_KEYS_FILE: key k1"):
        load_settings(environ={"SHAREHUB_ENCRYPTION_KEYS_FILE": str(keys)})
    with pytest.raises(ConfigError, match="SHAREHUB_BLIND_INDEX_KEY"):
        load_settings(environ={"SHAREHUB_BLIND_INDEX_KEY": "dG9vLXNob3J0"})
