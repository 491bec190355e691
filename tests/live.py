"""A real server in a subprocess: for tests that need truly parallel requests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(database_url: str, secret_key: str, workers: int = 2) -> Iterator[str]:
    """``coopvote serve`` with several worker processes against the test database."""
    port = free_port()
    env = {
        **os.environ,
        "COOPVOTE_DATABASE_URL": database_url,
        "COOPVOTE_SECRET_KEY": secret_key,
        "COOPVOTE_ENV": "test",
    }
    with tempfile.TemporaryFile() as log:
        yield from _serve(port, workers, env, log)


def _serve(port: int, workers: int, env: dict[str, str], log: IO[bytes]) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "coopvote", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"the server did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
