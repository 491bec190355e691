"""`coopvote trustee …`: a ballot trustee's own key, made and used on their own machine.

Neither command reads the settings or touches the database (nor imports the web framework):
run them offline, on a computer only the trustee uses.

- `coopvote trustee keygen FILE`: make a key pair; the private key (64 hex digits) goes into
  FILE, readable by its owner only, and the public key is printed, to register at
  /ballots/trustee/key.
- `coopvote trustee answer FILE`: decrypt the challenge that page shows (read from standard
  input) with the private key in FILE, and print the answer that proves the key is yours.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

KEY_FILE = click.Path(dir_okay=False, path_type=Path)


@click.group()
def trustee() -> None:
    """A ballot trustee's own key: made and used offline, never given to the server."""


@trustee.command()
@click.argument("key_file", type=KEY_FILE)
def keygen(key_file: Path) -> None:
    """Make a key pair: the private key into KEY_FILE (a new file, mode 0600), the public key
    printed. Keep KEY_FILE safe, offline, and backed up: without a majority of the trustees'
    keys a ballot's box cannot be opened."""
    key = PrivateKey.generate()
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{key_file} exists already: it is never overwritten.") from None
    except OSError as problem:
        raise click.ClickException(f"Cannot write {key_file}: {problem.strerror}.") from None
    with os.fdopen(descriptor, "w") as file:
        file.write(bytes(key).hex() + "\n")
    click.echo(f"Your private key is in {key_file}: keep it safe and never share it.")
    click.echo("Your public key, to register at /ballots/trustee/key:")
    click.echo(bytes(key.public_key).hex())


@trustee.command()
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def answer(key_file: Path) -> None:
    """Decrypt the challenge (hex, on standard input) with the private key in KEY_FILE and
    print the answer to paste back."""
    try:
        key = PrivateKey(bytes.fromhex(key_file.read_text().strip()))
    except (ValueError, UnicodeDecodeError):
        raise click.ClickException(f"{key_file} does not hold a trustee's private key.") from None
    challenge = "".join(sys.stdin.read().split())
    try:
        plain = SealedBox(key).decrypt(bytes.fromhex(challenge))
    except (ValueError, CryptoError):
        raise click.ClickException(
            "This challenge was not sealed to this key: check that you registered the public "
            "key of this key file, and that the challenge was pasted whole."
        ) from None
    click.echo(plain.hex())
