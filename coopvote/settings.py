"""One typed settings object, read from ``COOPVOTE_*`` environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEVELOPMENT_SECRET = "development-secret-do-not-use-in-production"  # noqa: S105 - a known placeholder
DEFAULT_DATABASE_URL = "sqlite:///coopvote.db"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Argon2Parameters:
    """How much work argon2id does for each password."""

    memory_kib: int
    iterations: int
    parallelism: int


#: OWASP's minimum for argon2id, which ASVS asks for: 19 MiB, 2 iterations, 1 degree of parallelism.
ASVS_ARGON2 = Argon2Parameters(memory_kib=19 * 1024, iterations=2, parallelism=1)
#: argon2id's smallest work: for the test suite only, which hashes a password in hundreds of tests.
TEST_ARGON2 = Argon2Parameters(memory_kib=8, iterations=1, parallelism=1)


class SmtpSecurity(StrEnum):
    """How the connection to the SMTP server is protected."""

    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


#: The usual port for each kind of connection, when ``COOPVOTE_SMTP_PORT`` is not set.
SMTP_PORTS = {SmtpSecurity.NONE: 25, SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465}


class InsecureSettings(RuntimeError):
    """Raised when the app would start outside development with a guessable secret."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEVELOPMENT_SECRET
    env: Environment = Environment.DEVELOPMENT
    #: Served over HTTPS: Secure cookies, and the session cookie takes the ``__Host-`` prefix.
    https: bool = False
    session_idle_timeout: timedelta = timedelta(minutes=30)
    session_absolute_timeout: timedelta = timedelta(hours=12)
    #: Failed sign-ins free of delay: for one account from one client address; for one account
    #: from addresses it has never signed in from; for one client address; for everyone. After
    #: that each attempt waits a delay that doubles from ``throttle_first_delay`` up to
    #: ``throttle_max_delay``; counts lapse after ``throttle_forget_after`` without a failure.
    throttle_client_failures: int = 5
    throttle_account_failures: int = 10
    throttle_address_failures: int = 30
    throttle_global_failures: int = 1000
    throttle_first_delay: timedelta = timedelta(seconds=1)
    throttle_max_delay: timedelta = timedelta(minutes=15)
    throttle_forget_after: timedelta = timedelta(hours=1)
    #: Registrations allowed a minute from one client address (the API contract promises 60),
    #: and from everyone.
    registrations_per_address: int = 60
    registrations_overall: int = 600
    #: Reverse proxies in front of the app, each appending to ``X-Forwarded-For``: the client
    #: address is the entry this many from the right (0: the connection's own address).
    trusted_proxies: int = 0
    cooperative_name: str = "Aylesbury Learning Partnership"
    #: Where the co-operative is: forms take, and pages show, times in this zone.
    timezone: str = "Europe/London"
    #: The server-held ballot secret (``ballots.keys``); empty: beside the database, created
    #: there when missing in development and tests only.
    ballot_key_file: str = ""
    #: How long a request waits for the database (a lock, a pooled connection, a connection)
    #: before it is answered 503: a busy site answers "try again" rather than hanging.
    database_wait: timedelta = timedelta(seconds=5)
    #: Where links in mail point: the site's address as members reach it, without a final "/".
    base_url: str = "http://127.0.0.1:8000"
    #: The SMTP server that delivers mail; empty: none (only development and tests may run so,
    #: and then mail waits in the outbox).
    smtp_host: str = ""
    #: 0: the usual port for ``smtp_security`` (25, 587 or 465).
    smtp_port: int = 0
    smtp_security: SmtpSecurity = SmtpSecurity.STARTTLS
    smtp_user: str = ""
    smtp_password: str = ""
    #: The ``From`` of every message.
    mail_from: str = "coopvote@localhost"
    #: The longest wait for the SMTP server, in seconds, on connecting and on each command.
    smtp_timeout: float = 30.0
    #: Messages sent a minute at most, by all senders together (a provider's sending limit).
    mail_per_minute: int = 60
    #: Attempts before a message is given up as failed (the delays between them double).
    mail_max_attempts: int = 8
    #: Development only: the folder (a Maildir) where ``coopvote dev-mail`` keeps what it caught,
    #: which the development-only page ``/dev/mail`` lists.
    dev_maildir: str = ""

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as problem:
            raise ValueError(f"COOPVOTE_TIMEZONE: unknown time zone {self.timezone!r}") from problem
        if self.env not in (Environment.DEVELOPMENT, Environment.TEST):
            if not self.secret_key or self.secret_key == DEVELOPMENT_SECRET:
                raise InsecureSettings(
                    "COOPVOTE_SECRET_KEY must be set to a long random value outside development"
                )
            if len(self.secret_key) < 32:
                raise InsecureSettings("COOPVOTE_SECRET_KEY must be at least 32 characters long")
            if not self.smtp_host:
                raise InsecureSettings(
                    "COOPVOTE_SMTP_HOST must name the SMTP server outside development: "
                    "coopvote mails password resets, invitations and notices"
                )

    @property
    def argon2(self) -> Argon2Parameters:
        """Derived from the environment, never read from a variable of its own, so that no
        deployment can weaken it."""
        return TEST_ARGON2 if self.env is Environment.TEST else ASVS_ARGON2

    @property
    def ballot_key_path(self) -> Path:
        """``ballot_key_file``, or beside the database (a SQLite file) or in the working
        directory: ``<database>.ballot-key``."""
        if self.ballot_key_file:
            return Path(self.ballot_key_file)
        database = (
            self.database_url.partition(":///")[2]
            if self.database_url.startswith("sqlite:///")
            else ""
        )
        return Path(f"{database or 'coopvote'}.ballot-key")

    @property
    def creates_ballot_key(self) -> bool:
        """Only development and tests make a ballot key of their own."""
        return self.env in (Environment.DEVELOPMENT, Environment.TEST)

    @property
    def smtp_port_or_default(self) -> int:
        return self.smtp_port or SMTP_PORTS[self.smtp_security]

    @property
    def shows_caught_mail(self) -> bool:
        """The development-only page of caught mail is mounted: never outside development."""
        return self.env is Environment.DEVELOPMENT and bool(self.dev_maildir)

    @property
    def session_cookie_name(self) -> str:
        return "__Host-coopvote_session" if self.https else "coopvote_session"

    @property
    def csrf_cookie_name(self) -> str:
        """``__Host-`` over HTTPS: only this host, over HTTPS, may set it (no subdomain can
        plant one)."""
        return "__Host-csrftoken" if self.https else "csrftoken"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def read(name: str, default: str) -> str:
            return env.get(f"COOPVOTE_{name}", default)

        def minutes(name: str, default: timedelta) -> timedelta:
            return timedelta(minutes=int(read(name, str(int(default.total_seconds() // 60)))))

        return cls(
            database_url=read("DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=read("SECRET_KEY", DEVELOPMENT_SECRET),
            env=Environment(read("ENV", Environment.DEVELOPMENT)),
            https=read("HTTPS", "false").lower() in {"1", "true", "yes"},
            session_idle_timeout=minutes("SESSION_IDLE_MINUTES", cls.session_idle_timeout),
            session_absolute_timeout=minutes(
                "SESSION_ABSOLUTE_MINUTES", cls.session_absolute_timeout
            ),
            trusted_proxies=_trusted_proxies(read),
            cooperative_name=read("COOPERATIVE_NAME", cls.cooperative_name),
            timezone=read("TIMEZONE", cls.timezone),
            ballot_key_file=read("BALLOT_KEY_FILE", ""),
            database_wait=timedelta(
                seconds=float(read("DATABASE_WAIT_SECONDS", str(cls.database_wait.seconds)))
            ),
            base_url=read("BASE_URL", cls.base_url).rstrip("/"),
            smtp_host=read("SMTP_HOST", ""),
            smtp_port=_number("SMTP_PORT", read("SMTP_PORT", "0")),
            smtp_security=_smtp_security(read("SMTP_SECURITY", cls.smtp_security)),
            smtp_user=read("SMTP_USER", ""),
            smtp_password=read("SMTP_PASSWORD", ""),
            mail_from=read("MAIL_FROM", cls.mail_from),
            mail_per_minute=_number("MAIL_PER_MINUTE", read("MAIL_PER_MINUTE", "60")),
            mail_max_attempts=_number("MAIL_MAX_ATTEMPTS", read("MAIL_MAX_ATTEMPTS", "8")),
            dev_maildir=read("DEV_MAILDIR", ""),
        )


def _trusted_proxies(read: Callable[[str, str], str]) -> int:
    """``COOPVOTE_TRUSTED_PROXIES``; the older ``COOPVOTE_TRUST_FORWARDED_FOR=true`` means one."""
    legacy = read("TRUST_FORWARDED_FOR", "false").lower() in {"1", "true", "yes"}
    value = read("TRUSTED_PROXIES", "1" if legacy else "0")
    if not value.isdigit():
        raise ValueError(f"COOPVOTE_TRUSTED_PROXIES: a number of proxies, not {value!r}")
    return int(value)


def _number(name: str, value: str) -> int:
    if not value.isdigit():
        raise ValueError(f"COOPVOTE_{name}: a whole number, not {value!r}")
    return int(value)


def _smtp_security(value: str) -> SmtpSecurity:
    try:
        return SmtpSecurity(value.lower())
    except ValueError:
        raise ValueError(f"COOPVOTE_SMTP_SECURITY: none, starttls or ssl, not {value!r}") from None
