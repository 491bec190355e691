import os
from pathlib import Path

import pytest

from coopvote.app import create_app
from coopvote.ballots.keys import BallotKeyMissing, load_key_file
from coopvote.security.passwords import hash_password
from coopvote.settings import DEVELOPMENT_SECRET, Environment, InsecureSettings, Settings

SECRET = "x" * 16 + "y" * 16


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(InsecureSettings):
        Settings(env=Environment.PRODUCTION)
    with pytest.raises(InsecureSettings):
        Settings(env=Environment.PRODUCTION, secret_key=DEVELOPMENT_SECRET)
    with pytest.raises(InsecureSettings):
        Settings(env=Environment.PRODUCTION, secret_key="short")


def test_production_accepts_a_long_random_secret() -> None:
    settings = Settings(
        env=Environment.PRODUCTION, secret_key="x" * 16 + "y" * 16, smtp_host="smtp.example"
    )
    assert settings.env is Environment.PRODUCTION


def test_production_without_an_smtp_server_stops_start_up() -> None:
    with pytest.raises(InsecureSettings, match="COOPVOTE_SMTP_HOST"):
        Settings(env=Environment.PRODUCTION, secret_key=SECRET)


def test_settings_are_read_from_coopvote_variables() -> None:
    settings = Settings.from_env(
        {
            "COOPVOTE_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "COOPVOTE_ENV": "production",
            "COOPVOTE_SECRET_KEY": "s" * 40,
            "COOPVOTE_HTTPS": "true",
            "COOPVOTE_SESSION_IDLE_MINUTES": "10",
            "COOPVOTE_SMTP_HOST": "smtp.example",
            "COOPVOTE_SMTP_SECURITY": "ssl",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.https
    assert settings.session_cookie_name.startswith("__Host-")
    assert settings.session_idle_timeout.total_seconds() == 600
    assert settings.smtp_port_or_default == 465


def test_a_missing_secret_outside_development_stops_start_up() -> None:
    with pytest.raises(InsecureSettings):
        Settings.from_env({"COOPVOTE_ENV": "production"})


@pytest.mark.parametrize("env", [Environment.DEVELOPMENT, Environment.PRODUCTION])
def test_argon2_stays_at_the_asvs_level_outside_the_test_environment(env: Environment) -> None:
    argon2 = Settings(env=env, secret_key=SECRET, smtp_host="smtp.example").argon2
    assert (argon2.memory_kib, argon2.iterations, argon2.parallelism) == (19 * 1024, 2, 1)


@pytest.mark.usefixtures("password_hashing")
def test_an_app_for_production_hashes_passwords_at_the_asvs_level() -> None:
    assert not hash_password("the test suite hashes cheaply").startswith("$argon2id$v=19$m=19456,")
    create_app(
        Settings(
            database_url="sqlite://",
            env=Environment.PRODUCTION,
            secret_key=SECRET,
            smtp_host="smtp.example",
            ballot_key_file=os.environ["COOPVOTE_BALLOT_KEY_FILE"],  # the run's (conftest)
        )
    )
    assert hash_password("production does not").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_outside_development_a_missing_ballot_key_file_stops_the_app(tmp_path: Path) -> None:
    missing = tmp_path / "ballot.key"
    settings = Settings(
        database_url="sqlite://",
        env=Environment.PRODUCTION,
        secret_key=SECRET,
        smtp_host="smtp.example",
        ballot_key_file=str(missing),
    )
    with pytest.raises(BallotKeyMissing, match="COOPVOTE_BALLOT_KEY_FILE"):
        create_app(settings)
    assert not missing.exists()


def test_in_development_the_ballot_key_is_made_beside_the_database_for_its_owner_alone(
    tmp_path: Path,
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'coop.db'}")
    assert settings.ballot_key_path == tmp_path / "coop.db.ballot-key"
    secret = load_key_file(settings.ballot_key_path, create=settings.creates_ballot_key)
    assert len(secret) == 32
    assert settings.ballot_key_path.stat().st_mode & 0o777 == 0o600
    assert load_key_file(settings.ballot_key_path, create=True) == secret  # kept, not remade
