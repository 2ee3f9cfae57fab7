"""Which store a service uses, from its environment, and the factory that builds it.

A service's settings class inherits ``StorageSettings`` next to
``ServiceSettings``, so the variables take the service's prefix, e.g.
``CONSTRUCTION_STORAGE_BACKEND=s3``, ``CONSTRUCTION_STORAGE_S3_BUCKET=baan-photos``,
``CONSTRUCTION_STORAGE_S3_ENDPOINT_URL=http://minio:9000``. Credentials may be
given as ``..._STORAGE_S3_ACCESS_KEY_ID`` / ``..._STORAGE_S3_SECRET_ACCESS_KEY``
or left to boto3's own chain (``AWS_ACCESS_KEY_ID``, a Kubernetes web identity).
"""

from typing import Literal, Self

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings

from baan_shared.storage.base import ObjectStorage
from baan_shared.storage.local import LocalDiskStorage
from baan_shared.storage.s3 import S3Storage


class StorageSettings(BaseSettings):
    storage_backend: Literal["local", "s3"] = "local"
    # local: the folder the files go under.
    storage_dir: str = "./.data/storage"
    # s3: the bucket, and where it is when it is not AWS itself.
    storage_s3_bucket: str | None = None
    storage_s3_endpoint_url: str | None = None
    storage_s3_region: str | None = None
    storage_s3_access_key_id: str | None = None
    storage_s3_secret_access_key: SecretStr | None = None
    storage_s3_key_prefix: str = ""
    # MinIO and most self-hosted stores want path-style URLs.
    storage_s3_addressing_style: Literal["auto", "path", "virtual"] = "auto"

    @model_validator(mode="after")
    def _s3_is_complete(self) -> Self:
        # Refuse at start-up rather than on the first upload.
        if self.storage_backend == "s3" and not self.storage_s3_bucket:
            raise ValueError("storage_s3_bucket is required when storage_backend is 's3'")
        if (self.storage_s3_access_key_id is None) != (self.storage_s3_secret_access_key is None):
            raise ValueError(
                "give both storage_s3_access_key_id and storage_s3_secret_access_key, or neither"
            )
        return self


def storage_from_settings(settings: StorageSettings) -> ObjectStorage:
    if settings.storage_backend == "s3":
        assert settings.storage_s3_bucket is not None  # checked by the settings validator
        secret = settings.storage_s3_secret_access_key
        return S3Storage(
            settings.storage_s3_bucket,
            endpoint_url=settings.storage_s3_endpoint_url,
            region=settings.storage_s3_region,
            access_key_id=settings.storage_s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret is not None else None,
            key_prefix=settings.storage_s3_key_prefix,
            addressing_style=settings.storage_s3_addressing_style,
        )
    return LocalDiskStorage(settings.storage_dir)
