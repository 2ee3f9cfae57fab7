"""An S3-compatible bucket (AWS S3, MinIO, Ceph): the production store.

boto3 is synchronous, so every call runs in a worker thread
(``asyncio.to_thread``) and the event loop never waits on the network. One
client is shared by all threads, which boto3 clients allow.
"""

import asyncio
import base64
import hashlib
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from baan_shared.storage.base import ObjectNotFound, check_key

# What S3 and its look-alikes answer for a missing object or bucket.
_MISSING = {"NoSuchKey", "NotFound", "404"}


class S3Storage:
    """Objects in one bucket, optionally under a key prefix shared with other users of it."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        key_prefix: str = "",
        addressing_style: Literal["auto", "path", "virtual"] = "auto",
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.key_prefix = key_prefix.strip("/") + "/" if key_prefix.strip("/") else ""
        # Without explicit keys boto3 looks in its usual places (AWS_* variables,
        # a web-identity token in Kubernetes, an instance profile).
        self._client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                retries={"max_attempts": 5, "mode": "standard"},
                s3={"addressing_style": addressing_style},
                # Newer boto3 adds CRC checksums to every upload, which some
                # S3-compatible servers refuse; Content-MD5 below guards integrity.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def _key(self, key: str) -> str:
        return self.key_prefix + check_key(key)

    def _put(self, key: str, data: bytes, content_type: str) -> None:
        digest = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self._client.put_object(
            Bucket=self.bucket,
            Key=self._key(key),
            Body=data,
            ContentType=content_type,
            ContentMD5=digest,
        )

    def _get(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                raise ObjectNotFound(key) from None
            raise
        body = response["Body"]
        try:
            return bytes(body.read())
        finally:
            body.close()

    def _delete(self, key: str) -> None:
        # S3 answers a delete of a missing key with success, as the interface wants.
        self._client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def _url(self, key: str, expires_in: int) -> str:
        return str(
            self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": self._key(key)},
                ExpiresIn=expires_in,
            )
        )

    def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (local runs and tests; production
        buckets are made by whoever owns the account, with their own policies)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _MISSING | {"NoSuchBucket"}:
                raise
            region = self._client.meta.region_name
            if region and region != "us-east-1":
                self._client.create_bucket(
                    Bucket=self.bucket,
                    CreateBucketConfiguration={"LocationConstraint": region},
                )
            else:
                self._client.create_bucket(Bucket=self.bucket)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._put, key, data, content_type)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._get, key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)

    async def url(self, key: str, *, expires_in: int = 900) -> str | None:
        return await asyncio.to_thread(self._url, key, expires_in)
