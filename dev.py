#!/usr/bin/env python3
"""Set up and run coopvote with nothing but Python 3.11+ and pip.

    python3 dev.py demo            # the app on SQLite with the demo loaded, at http://127.0.0.1:8000/
    python3 dev.py test [ARGS]     # the test suite (ARGS go to pytest)

Both create ``.venv`` and install coopvote into it on first use, and again whenever
``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit("coopvote needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    # One stamp per set of extras, so that switching between `demo` and `test` installs nothing.
    stamp = VENV / f".coopvote-installed-{extras.replace(',', '-')}"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        print(f"Installing coopvote[{extras}] into .venv …", flush=True)
        subprocess.run(
            [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True
        )
        subprocess.run(
            [str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f".[{extras}]"],
            check=True,
            cwd=ROOT,
        )
        stamp.write_text(wanted)


def run(*args: str) -> int:
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT).returncode


#: Where the demo's local SMTP server keeps the mail it catches (listed at /dev/mail).
DEV_MAILDIR = ROOT / ".dev-mail"
DEV_SMTP_PORT = "8025"


def demo() -> int:
    ensure_environment("dev")
    if run("coopvote", "demo", "--reset"):
        return 1
    catcher = None
    if not os.environ.get("COOPVOTE_SMTP_HOST"):
        # No SMTP server of your own: catch the demo's mail locally, to read at /dev/mail.
        shutil.rmtree(DEV_MAILDIR, ignore_errors=True)  # only this run's mail
        catcher = subprocess.Popen(
            [str(BIN / "coopvote"), "dev-mail", "--port", DEV_SMTP_PORT, "--maildir", DEV_MAILDIR],
            cwd=ROOT,
        )
        os.environ |= {
            "COOPVOTE_SMTP_HOST": "127.0.0.1",
            "COOPVOTE_SMTP_PORT": DEV_SMTP_PORT,
            "COOPVOTE_SMTP_SECURITY": "none",
            "COOPVOTE_DEV_MAILDIR": str(DEV_MAILDIR),
        }
        print("The demo's mail is caught: read it at http://127.0.0.1:8000/dev/mail", flush=True)
    print("\nOpen http://127.0.0.1:8000/ and sign in with one of the accounts above.", flush=True)
    try:
        return run("coopvote", "serve", "--host", "127.0.0.1", "--port", "8000")
    finally:
        if catcher is not None:
            catcher.terminate()
            catcher.wait()


def test(args: list[str]) -> int:
    ensure_environment("dev,browser")
    # The whole suite runs on every core; with arguments, pytest gets exactly those.
    return run("python", "-m", "pytest", *(args or ["-n", "auto", "-q"]))


def main() -> int:
    command, *rest = sys.argv[1:] or ["help"]
    if command == "demo":
        return demo()
    if command == "test":
        return test(rest)
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main())
