"""The busiest minute: coopvote served as ``coopvote serve`` runs it, under bursts of voters,
beside a bare Litestar endpoint served by uvicorn in the same run.

    python -m bench [--postgres URL] [--seconds 5] [--members 3000] [--ballots 8]

Sets up a scratch database (SQLite in a temporary directory, or a fresh schema in the
PostgreSQL database at URL, dropped afterwards) with members, open resolutions and one
signed-in session per member (written directly: no argon2 per member), then starts the bare
app and coopvote (1 worker on SQLite, 2 on PostgreSQL, ``COOPVOTE_ENV=production``: argon2id
at 19 MiB, t=2) and drives each from this process over loopback with an asyncio HTTP/1.1
client on keep-alive connections. For each phase it prints requests/s, p50/p95/p99 in ms, the
ratio to the bare endpoint's requests/s, errors (5xx, other unexpected statuses, timeouts)
and, for votes, the reconciliation: 201 answers = roll entries marked = sealed papers =
board entries. The figures are this machine's at this moment: read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench.roll_bench import load_members
from coopvote.ballots import service as ballots
from coopvote.ballots.models import BoardEntry, Method, RollEntry, SealedPaper, Threshold
from coopvote.ballots.rules import Definition
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Member, MemberStatus
from coopvote.schema.migrate import upgrade
from coopvote.security.passwords import hash_password, use_argon2
from coopvote.security.sessions import start_session
from coopvote.settings import Environment, Settings
from coopvote.web.middleware import bound_csrf_token

HOST = "127.0.0.1"
PASSWORD = "bench-password-long-enough"  # noqa: S105 - the scratch members' password
#: Members who sign in during the sign-in phase (with a real argon2id hash).
SIGNERS = 40
#: A request not answered in this many seconds counts as a timeout.
TIMEOUT = 30.0


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    expected: frozenset[int] = frozenset({200})


@dataclass
class Figures:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    timeouts: int = 0
    elapsed: float = 0.0
    unexpected: int = 0
    #: CPU seconds the server's processes spent during the phase (user + system).
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    def line(self, yardstick: float | None) -> str:
        ratio = f"{self.rate / yardstick:5.2f}" if yardstick else "    -"
        errors = sum(n for s, n in self.statuses.items() if s >= 500)
        cpu = 1000 * self.cpu / len(self.latencies) if self.latencies else float("nan")
        return (
            f"{self.name:<40} {self.rate:6.0f}/s  p50 {self.percentile(50):6.1f}  "
            f"p95 {self.percentile(95):6.1f}  p99 {self.percentile(99):6.1f} ms  "
            f"x bare {ratio}  server CPU {cpu:5.2f} ms/req  5xx {errors}  "
            f"other {self.unexpected - errors}  timeouts {self.timeouts}  "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


class Connection:
    """One keep-alive HTTP/1.1 connection: just enough of the protocol for these requests."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = [f"{request.method} {request.path} HTTP/1.1", f"host: {HOST}:{self.port}"]
        head += [f"{k}: {v}" for k, v in request.headers.items()]
        head.append(f"content-length: {len(request.body)}")
        self.writer.write("\r\n".join(head).encode() + b"\r\n\r\n" + request.body)
        try:
            return await self._response(self.reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
        raw = await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                name = name.strip().lower()
                headers[name] = f"{headers[name]}\n{value.strip()}" if name in headers else value
        if headers.get("transfer-encoding", "").strip() == "chunked":
            body = b""
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                body += await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").strip() == "close":
            self.close()
        return status, headers, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def drive(
    name: str,
    port: int,
    connections: int,
    requests: Callable[[], Request | None],
    seconds: float,
    server: int,
) -> Figures:
    """``connections`` clients, each sending the next request as soon as the last is
    answered, until ``seconds`` pass or ``requests`` gives ``None``; ``server`` is the pid
    whose CPU time (with its workers') the phase is charged."""
    figures = Figures(name)
    cpu = cpu_seconds(server)
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        connection = Connection(port)
        while time.perf_counter() < deadline and (request := requests()) is not None:
            started = time.perf_counter()
            try:
                status, _, _ = await asyncio.wait_for(connection.send(request), TIMEOUT)
            except TimeoutError:
                figures.timeouts += 1
                connection.close()
                continue
            figures.latencies.append(time.perf_counter() - started)
            figures.statuses[status] += 1
            figures.unexpected += status not in request.expected
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    figures.elapsed = time.perf_counter() - started
    figures.cpu = cpu_seconds(server) - cpu
    return figures


# --- the scratch co-operative -------------------------------------------------------------


@dataclass
class Scene:
    settings: Settings
    database: Database
    ballots: list[str]
    #: (member id, session token) of every member with a session.
    sessions: list[tuple[int, str]]
    signers: list[str]


def set_up(settings: Settings, members: int, ballot_count: int) -> Scene:
    database = Database.connect(settings.database_url)
    upgrade(database.engine)
    load_members(database, members + SIGNERS)
    now = utcnow()
    ids: list[str] = []
    with database.transaction() as session:
        for n in range(ballot_count):
            ballot = ballots.create_ballot(
                session,
                Definition(
                    title=f"Resolution {n + 1}",
                    method=Method.RESOLUTION,
                    threshold=Threshold.SIMPLE,
                    closes_at=now + timedelta(days=1),
                ),
                actor_id=None,
                now=now,
            )
            ballots.open_ballot(session, ballot, actor_id=None, now=now)
            ids.append(ballot.public_id)
        active = session.exec(
            select(Member.id, Member.email)
            .where(col(Member.status) == MemberStatus.ACTIVE)
            .order_by(col(Member.id))
        ).all()
        voters, signing = active[:-SIGNERS], active[-SIGNERS:]
        tokens = [
            (member_id, start_session(session, member_id, now))
            for member_id, _ in voters
            if member_id is not None
        ]
        use_argon2(settings.argon2)
        hashed = hash_password(PASSWORD)  # one hash, shared: the bench pays argon2 once
        for member_id, _ in signing:
            member = session.get(Member, member_id)
            assert member is not None
            member.password_hash = hashed
            session.add(member)
    return Scene(settings, database, ids, tokens, [email for _, email in signing])


def signed_in_headers(settings: Settings, token: str) -> dict[str, str]:
    csrf = bound_csrf_token(settings, token)
    return {
        "cookie": f"{settings.session_cookie_name}={token}; {settings.csrf_cookie_name}={csrf}",
        "x-csrftoken": csrf,
    }


def votes(scene: Scene) -> Iterator[Request]:
    """Every member's vote in every ballot, ballot by ballot."""
    body = json.dumps({"choice": "for"}).encode()
    for ballot_id in scene.ballots:
        for _, token in scene.sessions:
            yield Request(
                "POST",
                f"/api/v1/ballots/{ballot_id}/votes",
                {**signed_in_headers(scene.settings, token), "content-type": "application/json"},
                body,
                frozenset({201}),
            )


def reconcile(scene: Scene, answered: int) -> str:
    with scene.database.reading() as session:
        marked = session.exec(
            select(func.count()).select_from(RollEntry).where(col(RollEntry.has_voted))
        ).one()
        sealed = session.exec(select(func.count()).select_from(SealedPaper)).one()
        board = session.exec(select(func.count()).select_from(BoardEntry)).one()
    verdict = "reconciled" if answered == marked == sealed == board else "NOT RECONCILED"
    return f"{verdict}: 201 answers {answered} = marked {marked} = sealed {sealed} = board {board}"


# --- servers ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(command: list[str], env: dict[str, str], log: Path, port: int) -> Iterator[int]:
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own servers, from our own arguments
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    asyncio.run(Connection(port).send(Request("GET", "/")))
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"did not start: {log.read_text()[-2000:]}") from None
                    time.sleep(0.2)
            yield process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def family(pid: int) -> list[int]:
    """A process and its children (uvicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [pid] + ([int(p) for p in children.read_text().split()] if children.exists() else [])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used, in seconds: unlike
    wall-clock figures, the other load on a shared machine does not inflate it."""
    total = 0
    for each in family(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> list[float]:
    """Resident size of a process and its children (uvicorn's workers), in MB."""
    sizes = []
    for each in family(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


# --- the run ------------------------------------------------------------------------------


async def phases(
    scene: Scene, bare: tuple[int, int], app: tuple[int, int], seconds: float
) -> tuple[list[str], int]:
    """Each phase in turn; ``bare`` and ``app`` are (port, pid). The lines to print and how
    many votes were answered 201."""
    (bare_port, bare_pid), (port, pid) = bare, app
    settings = scene.settings
    headers = signed_in_headers(settings, scene.sessions[0][1])
    lines: list[str] = []

    def repeat(request: Request) -> Callable[[], Request]:
        return lambda: request

    yard = await drive(
        "bare Litestar GET / (64 conn)",
        bare_port,
        64,
        repeat(Request("GET", "/")),
        seconds,
        bare_pid,
    )
    lines.append(yard.line(None))
    cheap = [
        ("health GET /api/v1/health", Request("GET", "/api/v1/health")),
        ("static file GET /static/site.css", Request("GET", "/static/site.css")),
        ("page read GET /ballots/ (signed in)", Request("GET", "/ballots/", headers)),
    ]
    for name, request in cheap:
        figures = await drive(f"{name} (64 conn)", port, 64, repeat(request), seconds, pid)
        lines.append(figures.line(yard.rate))
    all_votes = votes(scene)
    answered = 0
    for connections in (64, 256):
        figures = await drive(
            f"vote POST .../votes ({connections} conn)",
            port,
            connections,
            lambda: next(all_votes, None),
            seconds,
            pid,
        )
        answered += figures.statuses[201]
        lines.append(figures.line(yard.rate))
    # Sign-ins at 40 a second (each a fresh visit: the CSRF cookie, then the password) while
    # 64 voters vote.
    signers = itertools.cycle(scene.signers)
    sign_ins = Figures("  sign-ins alongside (40/s target)")

    async def sign_in() -> None:
        connection = Connection(port)
        started = time.perf_counter()
        try:
            _, got, _ = await connection.send(Request("GET", "/api/v1/health"))
            csrf = got["set-cookie"].split(f"{settings.csrf_cookie_name}=")[1].split(";")[0]
            status, _, _ = await asyncio.wait_for(
                connection.send(
                    Request(
                        "POST",
                        "/api/v1/session",
                        {
                            "cookie": f"{settings.csrf_cookie_name}={csrf}",
                            "x-csrftoken": csrf,
                            "content-type": "application/json",
                        },
                        json.dumps({"email": next(signers), "password": PASSWORD}).encode(),
                    )
                ),
                TIMEOUT,
            )
        except TimeoutError:
            sign_ins.timeouts += 1
            return
        finally:
            connection.close()
        sign_ins.latencies.append(time.perf_counter() - started)
        sign_ins.statuses[status] += 1
        sign_ins.unexpected += status != 200

    async def pace() -> None:
        started = time.perf_counter()
        tasks = []
        for n in itertools.count():
            if (due := started + n / 40) > started + seconds:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(sign_in()))
        await asyncio.gather(*tasks)
        sign_ins.elapsed = time.perf_counter() - started

    voting, _ = await asyncio.gather(
        drive(
            "vote with sign-ins (64 conn)", port, 64, lambda: next(all_votes, None), seconds, pid
        ),
        pace(),
    )
    answered += voting.statuses[201]
    lines += [voting.line(yard.rate), sign_ins.line(None)]
    return lines, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="an empty PostgreSQL database's URL")
    parser.add_argument("--seconds", type=float, default=5.0, help="per phase")
    parser.add_argument("--members", type=int, default=3000, help="members with a session")
    parser.add_argument("--ballots", type=int, default=8, help="open resolutions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, database_url(args.postgres, scratch) as url:
        key_file = Path(scratch) / "ballot.key"
        key_file.write_bytes(secrets.token_bytes(32))
        settings = Settings(
            database_url=url,
            secret_key=secrets.token_urlsafe(48),
            env=Environment.PRODUCTION,
            ballot_key_file=str(key_file),
        )
        started = time.perf_counter()
        # The generous --members is split between sessions and signers; 10 % are suspended.
        scene = set_up(settings, args.members * 10 // 9, args.ballots)
        print(
            f"set up {len(scene.sessions):,} signed-in members, {len(scene.ballots)} open "
            f"ballots on {scene.database.engine.dialect.name} in "
            f"{time.perf_counter() - started:.1f} s; {os.cpu_count()} cores"
        )
        workers = "1" if url.startswith("sqlite") else "2"
        env = {
            "COOPVOTE_DATABASE_URL": url,
            "COOPVOTE_SECRET_KEY": settings.secret_key,
            "COOPVOTE_ENV": "production",
            "COOPVOTE_BALLOT_KEY_FILE": str(key_file),
        }
        bare_port, app_port = free_port(), free_port()
        bare = [sys.executable, "-m", "uvicorn", "bench.bare:app", "--port", str(bare_port)]
        bare += ["--no-access-log", "--log-level", "warning"]
        app = [sys.executable, "-m", "coopvote", "serve", "--port", str(app_port)]
        app += ["--workers", workers]
        logs = Path(scratch)
        with (
            serving(bare, {}, logs / "bare.log", bare_port) as bare_pid,
            serving(app, env, logs / "coopvote.log", app_port) as pid,
        ):
            lines, answered = asyncio.run(
                phases(scene, (bare_port, bare_pid), (app_port, pid), args.seconds)
            )
            memory = resident_mb(pid)
        print(f"coopvote serve --workers {workers}; each phase {args.seconds:g} s")
        for line in lines:
            print(line)
        print(reconcile(scene, answered))
        print(
            "resident MB after the run (server, workers): " + ", ".join(f"{m:.0f}" for m in memory)
        )
        log = (logs / "coopvote.log").read_text()
        print(f"server log: {log.count('Traceback')} tracebacks, {log.count(' 503 ')} 503s")
        scene.database.dispose()


@contextmanager
def database_url(postgres: str | None, scratch: str) -> Iterator[str]:
    """SQLite in ``scratch``, or a fresh schema of the PostgreSQL database, dropped after."""
    if postgres is None:
        yield f"sqlite:///{Path(scratch) / 'bench.db'}"
        return
    schema = f"coopvote_bench_{secrets.token_hex(4)}"
    admin = create_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
