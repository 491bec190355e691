"""The one way tests start a real server: ``coopvote serve`` in a subprocess, for truly parallel
requests, the browser suite and the installed wheel."""

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

from coopvote.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(
    settings: Settings,
    workers: int = 2,
    python: str = sys.executable,
    environ: dict[str, str] | None = None,
) -> Iterator[str]:
    """Serve ``settings`` with ``python -m coopvote serve`` and yield the server's URL.
    ``environ``: more variables for the server, each value formatted with ``url``.

    It runs in an empty directory, so ``python`` imports the coopvote it has installed, never
    one that happens to sit in the current directory.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "COOPVOTE_DATABASE_URL": settings.database_url,
        "COOPVOTE_SECRET_KEY": settings.secret_key,
        "COOPVOTE_ENV": settings.env,
        **{name: value.format(url=url) for name, value in (environ or {}).items()},
    }
    command = [python, "-m", "coopvote", "serve", "--port", str(port), "--workers", str(workers)]
    with tempfile.TemporaryDirectory() as cwd, tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_until_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=15)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"the server did not start: {log.read().decode()[-2000:]}")
        time.sleep(0.1)
