"""Object storage: the same behaviour on local disk and on an S3-compatible server,
and uploads refused by size (413) or type (415) before anything is stored."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from fastapi import FastAPI, File, UploadFile
from moto.server import ThreadedMotoServer
from pydantic import ValidationError

from baan_shared.errors import PayloadTooLarge, UnsupportedMediaType
from baan_shared.http.errors import install_error_handlers
from baan_shared.storage import (
    IMAGES,
    PDF,
    LocalDiskStorage,
    ObjectNotFound,
    ObjectStorage,
    S3Storage,
    StorageSettings,
    UploadLimits,
    storage_from_settings,
)

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 100
WEBP_BYTES = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 100
PDF_BYTES = b"%PDF-1.7\n" + b"\x00" * 100
BUCKET = "baan-test-photos"
# moto accepts any credentials; these only have to be present.
CREDENTIALS = {"access_key_id": "testing", "secret_access_key": "testing"}


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server on 127.0.0.1, in a thread of this test process."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _s3(endpoint: str, bucket: str = BUCKET, **options: str) -> S3Storage:
    storage = S3Storage(
        bucket, endpoint_url=endpoint, region="ap-southeast-1", **CREDENTIALS, **options
    )
    storage.ensure_bucket()
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStorage:
    if request.param == "local":
        return LocalDiskStorage(tmp_path / "store")
    endpoint = request.getfixturevalue("s3_endpoint")
    # A bucket per test keeps tests apart on the shared server.
    return _s3(endpoint, bucket=f"t-{tmp_path.name.lower().replace('_', '-')[:50]}")


class TestEveryStore:
    async def test_stored_bytes_come_back_unchanged(self, storage: ObjectStorage) -> None:
        await storage.put("house/1/photo.png", PNG_BYTES, "image/png")
        assert await storage.get("house/1/photo.png") == PNG_BYTES

    async def test_putting_again_replaces_the_object(self, storage: ObjectStorage) -> None:
        await storage.put("doc.jpg", PNG_BYTES, "image/png")
        await storage.put("doc.jpg", JPEG_BYTES, "image/jpeg")
        assert await storage.get("doc.jpg") == JPEG_BYTES

    async def test_a_deleted_object_is_gone_and_deleting_twice_is_fine(
        self, storage: ObjectStorage
    ) -> None:
        await storage.put("a/b.png", PNG_BYTES, "image/png")
        await storage.delete("a/b.png")
        with pytest.raises(ObjectNotFound):
            await storage.get("a/b.png")
        await storage.delete("a/b.png")

    async def test_a_missing_key_is_object_not_found(self, storage: ObjectStorage) -> None:
        with pytest.raises(ObjectNotFound):
            await storage.get("never/stored.png")

    @pytest.mark.parametrize("key", ["../outside.png", "a/../../b", "/abs.png", "a//b", ""])
    async def test_a_key_that_is_not_a_relative_path_is_refused(
        self, storage: ObjectStorage, key: str, tmp_path: Path
    ) -> None:
        with pytest.raises(ValueError, match="storage key"):
            await storage.put(key, PNG_BYTES, "image/png")
        assert _files(tmp_path) == []


class TestLocalDisk:
    async def test_a_symbolic_link_cannot_lead_outside_the_folder(self, tmp_path: Path) -> None:
        root = tmp_path / "store"
        root.mkdir()
        (root / "link").symlink_to(tmp_path)
        storage = LocalDiskStorage(root)
        with pytest.raises(ValueError, match="leaves the storage folder"):
            await storage.put("link/escaped.png", PNG_BYTES, "image/png")
        assert not (tmp_path / "escaped.png").exists()

    async def test_no_url_so_callers_serve_the_bytes(self, tmp_path: Path) -> None:
        storage = LocalDiskStorage(tmp_path)
        await storage.put("a.png", PNG_BYTES, "image/png")
        assert await storage.url("a.png") is None


class TestS3:
    async def test_objects_land_under_the_prefix_with_their_content_type(
        self, s3_endpoint: str
    ) -> None:
        storage = _s3(s3_endpoint, key_prefix="/construction/")
        await storage.put("house/1.png", PNG_BYTES, "image/png")

        client = boto3.client(
            "s3",
            endpoint_url=s3_endpoint,
            region_name="ap-southeast-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        head = client.head_object(Bucket=BUCKET, Key="construction/house/1.png")
        assert head["ContentType"] == "image/png"
        assert head["ContentLength"] == len(PNG_BYTES)

    async def test_a_presigned_url_serves_the_object(self, s3_endpoint: str) -> None:
        storage = _s3(s3_endpoint)
        await storage.put("signed.jpg", JPEG_BYTES, "image/jpeg")

        url = await storage.url("signed.jpg", expires_in=60)

        assert url is not None and url.startswith(s3_endpoint)
        async with httpx.AsyncClient() as http:
            response = await http.get(url)
        assert response.status_code == 200
        assert response.content == JPEG_BYTES

    async def test_ensure_bucket_is_safe_to_repeat(self, s3_endpoint: str) -> None:
        _s3(s3_endpoint, bucket="made-twice")
        storage = _s3(s3_endpoint, bucket="made-twice")
        await storage.put("x.png", PNG_BYTES, "image/png")
        assert await storage.get("x.png") == PNG_BYTES


class TestSettings:
    def test_local_disk_is_the_default(self, tmp_path: Path) -> None:
        storage = storage_from_settings(StorageSettings(storage_dir=str(tmp_path)))
        assert isinstance(storage, LocalDiskStorage)
        assert storage.root == tmp_path.resolve()

    async def test_s3_settings_build_a_working_store(self, s3_endpoint: str) -> None:
        settings = StorageSettings(
            storage_backend="s3",
            storage_s3_bucket=BUCKET,
            storage_s3_endpoint_url=s3_endpoint,
            storage_s3_region="ap-southeast-1",
            storage_s3_access_key_id="testing",
            storage_s3_secret_access_key="testing",
            storage_s3_addressing_style="path",
        )
        storage = storage_from_settings(settings)
        assert isinstance(storage, S3Storage)
        storage.ensure_bucket()
        await storage.put("from-settings.png", PNG_BYTES, "image/png")
        assert await storage.get("from-settings.png") == PNG_BYTES

    def test_settings_come_from_the_services_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from pydantic_settings import SettingsConfigDict

        class PhotoSettings(StorageSettings):
            model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

        monkeypatch.setenv("EXAMPLE_STORAGE_BACKEND", "s3")
        monkeypatch.setenv("EXAMPLE_STORAGE_S3_BUCKET", "from-env")
        settings = PhotoSettings()
        assert (settings.storage_backend, settings.storage_s3_bucket) == ("s3", "from-env")

    def test_s3_without_a_bucket_is_refused_at_start_up(self) -> None:
        with pytest.raises(ValidationError, match="storage_s3_bucket is required"):
            StorageSettings(storage_backend="s3")

    def test_half_a_credential_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="or neither"):
            StorageSettings(
                storage_backend="s3", storage_s3_bucket="b", storage_s3_access_key_id="only"
            )


PHOTOS = UploadLimits(max_bytes=200, accepted=IMAGES)


class TestUploadLimits:
    @pytest.mark.parametrize(
        ("data", "declared"),
        [(PNG_BYTES, "image/png"), (JPEG_BYTES, "image/jpeg"), (WEBP_BYTES, "IMAGE/WEBP; q=1")],
    )
    def test_an_image_of_its_declared_type_is_accepted(self, data: bytes, declared: str) -> None:
        assert PHOTOS.check(data, declared).content_type == declared.split(";")[0].lower()

    def test_a_file_at_exactly_the_limit_is_accepted_one_byte_more_is_not(self) -> None:
        exact = PNG_BYTES + b"\x00" * (200 - len(PNG_BYTES))
        assert PHOTOS.check(exact, "image/png").extension == ".png"
        with pytest.raises(PayloadTooLarge) as refused:
            PHOTOS.check(exact + b"\x00", "image/png")
        assert refused.value.extra == {"max_bytes": 200}

    @pytest.mark.parametrize(
        ("data", "declared"),
        [
            (PDF_BYTES, "application/pdf"),  # not accepted for photos
            (PDF_BYTES, "image/png"),  # a renamed PDF
            (JPEG_BYTES, "image/png"),  # a JPEG claiming to be a PNG
            (b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 10, "image/webp"),  # audio
            (PNG_BYTES, None),
        ],
    )
    def test_a_wrong_type_is_415_listing_what_is_accepted(
        self, data: bytes, declared: str | None
    ) -> None:
        with pytest.raises(UnsupportedMediaType) as refused:
            PHOTOS.check(data, declared)
        assert refused.value.extra == {"accepted": ["image/jpeg", "image/png", "image/webp"]}

    def test_documents_may_accept_pdf(self) -> None:
        documents = UploadLimits(max_bytes=1000, accepted=(PDF, *IMAGES))
        assert documents.check(PDF_BYTES, "application/pdf").extension == ".pdf"


@pytest.fixture
async def upload_client() -> AsyncIterator[httpx.AsyncClient]:
    """A tiny app reading uploads through the limits, as a service's router would."""
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/upload")
    async def upload(file: UploadFile = File(...)) -> dict[str, object]:
        data, file_type = await PHOTOS.read(file)
        return {"size": len(data), "type": file_type.content_type}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


class TestUploadsOverHttp:
    async def test_an_accepted_upload_is_read_whole(self, upload_client: httpx.AsyncClient) -> None:
        response = await upload_client.post(
            "/upload", files={"file": ("a.png", PNG_BYTES, "image/png")}
        )
        assert response.json() == {"size": len(PNG_BYTES), "type": "image/png"}

    @pytest.mark.parametrize(
        ("data", "declared", "status", "code"),
        [
            (PNG_BYTES + b"\x00" * 200, "image/png", 413, "payload-too-large"),
            (PDF_BYTES, "image/png", 415, "unsupported-media-type"),
        ],
    )
    async def test_a_refused_upload_is_problem_json_naming_the_field(
        self,
        upload_client: httpx.AsyncClient,
        data: bytes,
        declared: str,
        status: int,
        code: str,
    ) -> None:
        response = await upload_client.post("/upload", files={"file": ("a.png", data, declared)})
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["type"].endswith(code)
        assert [e["field"] for e in body["errors"]] == ["body.file"]
