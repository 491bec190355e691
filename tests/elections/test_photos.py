"""A candidate's optional photo: type- and size-checked, re-encoded, stripped of metadata."""

from __future__ import annotations

import io
from typing import Any

import pytest
from litestar.testing import TestClient
from PIL import Image
from sqlmodel import Session

from coopvote.clock import utcnow
from coopvote.elections import service as elections
from coopvote.elections.photos import clean_photo
from coopvote.errors import InvalidInput, NotAllowed
from coopvote.members.models import Role
from coopvote.web.hostile import NUL_REFUSED, refusal
from tests.elections.helpers import first_contest, make_election, stand
from tests.factories import make_member
from tests.web.helpers import form, sign_in


def photo_with_metadata(size: tuple[int, int] = (1200, 800), fmt: str = "JPEG") -> bytes:
    """A photo carrying EXIF (a camera model and a GPS block) and a comment."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera 3000"  # Model
    exif[0x8825] = {1: "N", 2: (51.0, 48.0, 59.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif, comment=b"taken at 12 Acacia Avenue")
    return out.getvalue()


def test_a_photo_is_re_encoded_small_and_without_metadata() -> None:
    upload = photo_with_metadata()
    stored = clean_photo(upload)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 600
        assert not image.getexif()
        assert "comment" not in image.info
    assert b"Secret Camera" not in stored
    assert b"Acacia" not in stored


@pytest.mark.parametrize(
    "upload",
    [
        b"",
        b"GIF89a not really a photo",
        b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
        b"\x89PNG\r\n\x1a\n broken",
        b"\xff" * 5_000_001,
    ],
)
def test_anything_but_a_photo_of_an_accepted_type_and_size_is_refused(upload: bytes) -> None:
    with pytest.raises(InvalidInput, match="JPEG, PNG or WebP"):
        clean_photo(upload)


def test_a_gif_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(InvalidInput):
        clean_photo(out.getvalue())


def test_only_the_nominee_sets_their_photo(session: Session) -> None:
    election = make_election(session)
    nominee, other = make_member(session), make_member(session)
    nomination = stand(session, election, first_contest(session, election), nominee, approve=False)
    with pytest.raises(NotAllowed):
        elections.set_photo(
            session,
            election,
            nomination,
            upload=photo_with_metadata(),
            member_id=other.id or 0,
            now=utcnow(),
        )
    elections.set_photo(
        session,
        election,
        nomination,
        upload=photo_with_metadata(),
        member_id=nominee.id or 0,
        now=utcnow(),
    )
    assert nomination.photo is not None
    assert b"Secret Camera" not in nomination.photo


def test_a_photo_through_the_page(client: TestClient[Any], session: Session) -> None:
    make_member(session, email="nominee@example.org")
    make_member(session, email="outsider@example.org", constituency="staff", roles=(Role.AUDITOR,))
    election = make_election(session)
    contest = first_contest(session, election)
    election_id, contest_id = election.public_id, contest.public_id
    session.commit()
    sign_in(client, "nominee@example.org")
    nomination = client.post(
        f"/api/v1/elections/{election_id}/contests/{contest_id}/nominations",
        json={"statement": "Me."},
    ).json()
    page = f"/elections/nominations/{nomination['id']}/photo"
    refused = client.post(
        page, data=form(client), files={"photo": ("me.jpg", b"not an image", "image/jpeg")}
    )
    assert "Upload a JPEG, PNG or WebP photo" in refused.text
    uploaded = client.post(
        page,
        data=form(client),
        files={"photo": ("me.png", photo_with_metadata(fmt="PNG"), "image/png")},
    )
    assert "Your photo is added." in uploaded.text
    url = client.get(f"/api/v1/nominations/{nomination['id']}").json()["photo"]
    assert url == page
    assert f'src="{url}"' in uploaded.text
    served = client.get(url)
    assert served.headers["content-type"] == "image/jpeg"
    assert b"Secret Camera" not in served.content
    # A member outside the contest may not know of a nomination still in progress.
    sign_in(client, "outsider@example.org")
    assert client.get(url).status_code == 404


def multipart(boundary: bytes, *parts: tuple[bytes, bytes]) -> bytes:
    """A multipart body: each part is (its Content-Disposition's parameters, its content)."""
    return (
        b"".join(
            b"--"
            + boundary
            + b"\r\nContent-Disposition: form-data; "
            + params
            + b"\r\n\r\n"
            + content
            + b"\r\n"
            for params, content in parts
        )
        + b"--"
        + boundary
        + b"--\r\n"
    )


def test_a_file_may_hold_nul_bytes_but_a_text_field_may_not() -> None:
    # As Chromium sends them: a boundary in mixed case.
    boundary = b"----WebKitFormBoundaryAbCdEf0123"
    content_type = b"multipart/form-data; boundary=" + boundary
    photo = (b'name="photo"; filename="me.jpg"', b"\xff\xd8\x00\x00binary")
    assert refusal("/x", b"", content_type, multipart(boundary, photo)) is None
    text = (b'name="statement"', b"hello\x00there")
    assert refusal("/x", b"", content_type, multipart(boundary, photo, text)) == NUL_REFUSED
    # A body that does not use the boundary it names is checked whole.
    assert refusal("/x", b"", content_type, b"no boundary here \x00") == NUL_REFUSED
