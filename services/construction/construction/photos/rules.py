"""What a photo must be: small enough, and truly the image type it claims.

The declared type alone is not trusted: the first bytes must match it, so a
renamed PDF or script is refused. Plain functions: tests need no database.
"""

from baan_shared.http.errors import AppError

# content type → (file extension, what the file starts with)
ACCEPTED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "image/jpeg": (".jpg", (b"\xff\xd8\xff",)),
    "image/png": (".png", (b"\x89PNG\r\n\x1a\n",)),
    "image/webp": (".webp", (b"RIFF",)),
}
MAX_PER_UPDATE = 20


class PayloadTooLarge(AppError):
    status = 413
    code = "payload-too-large"
    title = "The upload is too large"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported-media-type"
    title = "This type of file is not accepted"


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise PayloadTooLarge(
            f"a photo may be at most {limit} bytes",
            max_bytes=limit,
            errors=[{"field": "body.file", "reason": f"larger than {limit} bytes", "code": "size"}],
        )


def check_type(declared: str | None, head: bytes) -> str:
    """The accepted content type of a file declared as ``declared`` starting with ``head``."""
    content_type = (declared or "").split(";")[0].strip().lower()
    accepted = sorted(ACCEPTED)
    if content_type not in ACCEPTED:
        raise UnsupportedMediaType(
            f"{content_type or 'a file without a type'} is not accepted;"
            f" send one of {', '.join(accepted)}",
            accepted=accepted,
            errors=[{"field": "body.file", "reason": "not an accepted image type", "code": "type"}],
        )
    _, signatures = ACCEPTED[content_type]
    matches = any(head.startswith(s) for s in signatures)
    if content_type == "image/webp":
        matches = matches and head[8:12] == b"WEBP"
    if not matches:
        raise UnsupportedMediaType(
            f"the file is not a {content_type} image",
            accepted=accepted,
            errors=[
                {"field": "body.file", "reason": f"content is not {content_type}", "code": "type"}
            ],
        )
    return content_type
