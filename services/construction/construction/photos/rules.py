"""What photo evidence must be: a JPEG, PNG or WebP (checked by its first bytes as
well as its declared type) of at most ``CONSTRUCTION_PHOTO_MAX_BYTES``, and at
most ``MAX_PER_UPDATE`` photos on one progress update. The checks themselves
are the shared ``UploadLimits``.
"""

from baan_shared.storage import IMAGES, UploadLimits

MAX_PER_UPDATE = 20


def photo_limits(max_bytes: int) -> UploadLimits:
    return UploadLimits(max_bytes=max_bytes, accepted=IMAGES, field="body.file")
