"""Object storage for uploaded files (photo evidence, scanned documents).

One small interface, ``ObjectStorage``, with two implementations: files on
local disk (the default, nothing to install) and an S3-compatible bucket
(production: AWS S3, MinIO, Ceph). Services keep only the key in their
database, so moving stores is a copy, not a migration. ``storage_from_settings``
picks the implementation from a service's ``StorageSettings``; ``UploadLimits``
refuses a file that is too large (413) or not of an accepted type (415) before
a byte is stored.
"""

from baan_shared.storage.base import ObjectNotFound, ObjectStorage, check_key
from baan_shared.storage.limits import (
    IMAGES,
    JPEG,
    PDF,
    PNG,
    WEBP,
    FileType,
    UploadLimits,
)
from baan_shared.storage.local import LocalDiskStorage
from baan_shared.storage.s3 import S3Storage
from baan_shared.storage.settings import StorageSettings, storage_from_settings

__all__ = [
    "IMAGES",
    "JPEG",
    "PDF",
    "PNG",
    "WEBP",
    "FileType",
    "LocalDiskStorage",
    "ObjectNotFound",
    "ObjectStorage",
    "S3Storage",
    "StorageSettings",
    "UploadLimits",
    "check_key",
    "storage_from_settings",
]
