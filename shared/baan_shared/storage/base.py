"""The storage interface every implementation honours, and the keys it accepts."""

from typing import Protocol


class ObjectNotFound(LookupError):
    """No object is stored under the key (a service answers 404 for it)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no stored object under {key!r}")
        self.key = key


class ObjectStorage(Protocol):
    """Whole objects by key. Writes are all-or-nothing: a reader never sees half a file."""

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key``, replacing what was there."""
        ...

    async def get(self, key: str) -> bytes:
        """The stored bytes; ``ObjectNotFound`` if there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    async def url(self, key: str, *, expires_in: int = 900) -> str | None:
        """A time-limited URL a client may fetch the object from directly, or None when
        the store cannot give one (local disk): then serve the bytes from ``get``."""
        ...


def check_key(key: str) -> str:
    """Refuse keys that would mean different things on different stores.

    A key is a relative path of non-empty segments without ``.`` or ``..``, so
    the same key names the same object on disk and in a bucket, and no key can
    reach outside the storage folder.
    """
    segments = key.split("/")
    if (
        not key
        or "\\" in key
        or "\x00" in key
        or any(segment in ("", ".", "..") for segment in segments)
    ):
        raise ValueError(f"storage key {key!r} is not a relative path inside the store")
    return key
