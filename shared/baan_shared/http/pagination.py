"""Cursor pagination: opaque, stable under inserts, ordered by time-ordered ids."""

import base64
import uuid

from baan_shared.errors import Unprocessable, field_error


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (ValueError, TypeError) as exc:
        raise Unprocessable(
            "cursor is not one this API issued",
            errors=[field_error("query.cursor", "malformed cursor", "cursor")],
        ) from exc
