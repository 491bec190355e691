"""A candidate's photo, made safe to show: checked for type and size, decoded, shrunk and
re-encoded as a fresh JPEG, so that nothing of the upload but its pixels survives (no EXIF,
no GPS position, no embedded profile or comment, no trailing bytes). Pure: bytes in, bytes out."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from coopvote.errors import InvalidInput

#: The largest upload accepted, in bytes.
MAX_BYTES = 5_000_000
#: The largest picture decoded, in pixels: beyond it a small file may be a decompression bomb.
MAX_PIXELS = 40_000_000
#: What may be uploaded, by the format Pillow reads in the file (never by its name).
FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
#: The longest side of the stored photo, in pixels.
SIDE = 600

PROBLEM = "Upload a JPEG, PNG or WebP photo of at most 5 MB."


def clean_photo(upload: bytes) -> bytes:
    """The photo as stored and served: a JPEG of at most ``SIDE`` pixels a side, oriented as
    its EXIF said, with no metadata. ``InvalidInput`` for anything that is not a photo of an
    accepted type and size."""
    if not upload or len(upload) > MAX_BYTES:
        raise InvalidInput(PROBLEM, field_errors={"photo": PROBLEM})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(upload)) as image:
                if image.format not in FORMATS or image.width * image.height > MAX_PIXELS:
                    raise InvalidInput(PROBLEM, field_errors={"photo": PROBLEM})
                image.load()
                picture = ImageOps.exif_transpose(image).convert("RGB")
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        SyntaxError,
    ):
        raise InvalidInput(PROBLEM, field_errors={"photo": PROBLEM}) from None
    picture.thumbnail((SIDE, SIDE))
    # A new image from the pixels alone: nothing of the original's info dict is carried over.
    clean = Image.new("RGB", picture.size)
    clean.paste(picture)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
