"""Where photo bytes live: an interface, and the local-disk implementation used by default.

Production can put an S3-compatible store behind the same two methods
(``put_object`` / ``get_object`` on a bucket, the key as object name); the
database keeps only the key, so moving stores is a copy, not a migration.
That implementation is not written yet: local disk is the only one.
"""

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Protocol


class PhotoStorage(Protocol):
    async def save(self, key: str, data: bytes) -> None: ...

    async def load(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class LocalDiskStorage:
    """Files under one folder, named by key; written whole or not at all."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"storage key {key!r} leaves the storage folder")
        return path

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A reader never sees half a photo: write aside, then rename into place.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def save(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, key, data)

    async def load(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)
