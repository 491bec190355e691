"""An installed coopvote works: the wheel built from this checkout, installed in a fresh
environment without the checkout, runs ``coopvote demo`` and serves pages with their templates
and static files.

Offline: the wheel is built with this environment's hatchling and installed without its
dependencies, which the fresh environment borrows from this one."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path
from zipfile import ZipFile

import httpx

from coopvote.settings import Settings
from tests.live import live_server

ROOT = Path(__file__).resolve().parents[1]


def build_wheel(directory: Path) -> Path:
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-v",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(directory),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "deprecat" not in (build.stdout + build.stderr).lower()
    (wheel,) = directory.glob("coopvote-*.whl")
    with ZipFile(wheel) as archive:
        (name,) = (name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        metadata = archive.read(name).decode()
    # An SPDX expression, not the table form that setuptools refuses from 2027-02-18.
    assert "License-Expression: AGPL-3.0-or-later" in metadata.splitlines()
    return wheel


def install(wheel: Path, environment: Path) -> Path:
    """Install ``wheel`` in a fresh virtualenv; return the environment's ``bin``."""
    venv.create(environment)  # without pip: this environment's pip installs into it
    python = environment / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A .pth file's line is added to the path as it is: the .pth files in this environment's
    # site-packages are not run, so its dependencies come along but not the editable checkout.
    Path(site_packages, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", str(wheel)],
        capture_output=True,
        check=True,
    )
    return python.parent


def test_an_installed_wheel_runs_the_demo_and_serves_pages(tmp_path: Path) -> None:
    bin_dir = install(build_wheel(tmp_path), tmp_path / "venv")
    elsewhere = tmp_path / "elsewhere"  # not the checkout, whose coopvote would be imported
    elsewhere.mkdir()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'coopvote.db'}")

    def run(*command: str | Path) -> str:
        return subprocess.run(
            command,
            cwd=elsewhere,
            env={**os.environ, "COOPVOTE_DATABASE_URL": settings.database_url},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    imported = Path(run(bin_dir / "python", "-c", "import coopvote; print(coopvote.__file__)"))
    assert imported.is_relative_to(tmp_path / "venv")
    assert "governor@demo.coopvote.org" in run(bin_dir / "coopvote", "demo")

    with live_server(settings, workers=1, python=str(bin_dir / "python")) as url:
        home = httpx.get(f"{url}/")
        sign_in = httpx.get(f"{url}/sign-in")
        stylesheet = httpx.get(f"{url}/static/site.css")
        script = httpx.get(f"{url}/static/local-time.js")
    assert home.status_code == 200
    assert "Aylesbury Learning Partnership" in home.text
    assert '<link rel="stylesheet" href="/static/site.css">' in home.text
    assert sign_in.status_code == 200
    assert 'name="password"' in sign_in.text
    assert stylesheet.status_code == 200
    assert stylesheet.headers["content-type"].startswith("text/css")
    assert script.status_code == 200
