"""What an upload must be: small enough, and truly the type it claims.

The declared content type alone is not trusted: the file's first bytes must
match it, so a renamed PDF or script is refused. Plain functions and frozen
data: tests need neither a database nor a store.
"""

from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers, UploadFile

from baan_shared.errors import PayloadTooLarge, UnsupportedMediaType, field_error

# A multipart body carries boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
# Enough of a file's start to recognise every type below.
HEAD_BYTES = 16


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    matches: Callable[[bytes], bool]


def _starts_with(*prefixes: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(head.startswith(prefix) for prefix in prefixes)


JPEG = FileType("image/jpeg", ".jpg", _starts_with(b"\xff\xd8\xff"))
PNG = FileType("image/png", ".png", _starts_with(b"\x89PNG\r\n\x1a\n"))
# RIFF is also the container of WAV and AVI: the form type at byte 8 says WebP.
WEBP = FileType("image/webp", ".webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP")
PDF = FileType("application/pdf", ".pdf", _starts_with(b"%PDF-"))
IMAGES = (JPEG, PNG, WEBP)


@dataclass(frozen=True)
class UploadLimits:
    """The size limit and the accepted types of one kind of upload (e.g. photo evidence)."""

    max_bytes: int
    accepted: tuple[FileType, ...] = IMAGES
    # The field problem+json names, e.g. "body.file" for a multipart part called file.
    field: str = "body.file"

    @property
    def accepted_types(self) -> list[str]:
        return sorted(t.content_type for t in self.accepted)

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise PayloadTooLarge(
                f"a file may be at most {self.max_bytes} bytes",
                max_bytes=self.max_bytes,
                errors=[field_error(self.field, f"larger than {self.max_bytes} bytes", "size")],
            )

    def check_announced_size(self, headers: Headers) -> None:
        """Refuse a request whose Content-Length already says the file is too large,
        before reading it (allowing for the multipart wrapping)."""
        announced = headers.get("content-length", "")
        if announced.isdigit():
            self.check_size(max(int(announced) - MULTIPART_OVERHEAD, 0))

    def check_type(self, declared: str | None, head: bytes) -> FileType:
        """The accepted type of a file declared as ``declared`` whose first bytes are ``head``."""
        content_type = (declared or "").split(";")[0].strip().lower()
        by_name = {t.content_type: t for t in self.accepted}
        file_type = by_name.get(content_type)
        if file_type is None:
            raise UnsupportedMediaType(
                f"{content_type or 'a file without a type'} is not accepted;"
                f" send one of {', '.join(self.accepted_types)}",
                accepted=self.accepted_types,
                errors=[field_error(self.field, "not an accepted type", "type")],
            )
        if not file_type.matches(head):
            raise UnsupportedMediaType(
                f"the file's content is not {content_type}",
                accepted=self.accepted_types,
                errors=[field_error(self.field, f"content is not {content_type}", "type")],
            )
        return file_type

    def check(self, data: bytes, declared: str | None) -> FileType:
        """Size, then type: the accepted type of ``data``, or 413/415."""
        self.check_size(len(data))
        return self.check_type(declared, data[:HEAD_BYTES])

    async def read(self, upload: UploadFile) -> tuple[bytes, FileType]:
        """Read an uploaded file, never more than one byte past the limit, and check it."""
        data = await upload.read(self.max_bytes + 1)
        return data, self.check(data, upload.content_type)
