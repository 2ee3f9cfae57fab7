"""Photo evidence on a progress update: stored whole, or refused with nothing written."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from construction_auth import national_headers
from construction_factories import UNKNOWN_ID, post, under_construction
from fastapi import FastAPI
from moto.server import ThreadedMotoServer

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import AuthSettings
from construction.main import create_app
from construction.photos.rules import MAX_PER_UPDATE
from construction.settings import ConstructionSettings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 200
LIMIT = 64 * 1024  # conftest's photo_max_bytes


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _stored_files(app: FastAPI) -> list[Path]:
    return _files(Path(app.state.photo_storage.root))


async def _update(app: FastAPI, client: httpx.AsyncClient) -> tuple[str, str]:
    """A house with one progress update; returns (house id, update id)."""
    house_id = await under_construction(app, client, need="repair")
    await post(client, house_id, "progress", reported_by="ช่างชุมชน", milestone="repaired")
    [update] = (await client.get(f"/v1/house-works/{house_id}/updates")).json()
    return house_id, update["id"]


async def _upload(
    client: httpx.AsyncClient,
    house_id: str,
    update_id: str,
    content: bytes,
    content_type: str = "image/png",
    name: str = "หลังคา.png",
    **form: Any,
) -> httpx.Response:
    return await client.post(
        f"/v1/house-works/{house_id}/updates/{update_id}/photos",
        files={"file": (name, content, content_type)},
        data={"uploaded_by": "ช่างชุมชน", **form},
    )


class TestUploading:
    @pytest.mark.parametrize(
        ("content", "content_type"),
        [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")],
    )
    async def test_a_photo_is_stored_listed_and_served_back_unchanged(
        self, app: FastAPI, client: httpx.AsyncClient, content: bytes, content_type: str
    ) -> None:
        house_id, update_id = await _update(app, client)

        response = await _upload(client, house_id, update_id, content, content_type)

        assert response.status_code == 201, response.text
        photo = response.json()
        assert (photo["content_type"], photo["size_bytes"]) == (content_type, len(content))
        assert photo["uploaded_by"] == "ช่างชุมชน"
        listed = (await client.get(f"/v1/house-works/{house_id}/updates/{update_id}/photos")).json()
        assert [p["id"] for p in listed] == [photo["id"]]
        served = await client.get(f"/v1/photos/{photo['id']}/content")
        assert served.status_code == 200
        assert served.headers["content-type"] == content_type
        assert served.content == content
        assert len(_stored_files(app)) == 1

    async def test_a_photo_at_exactly_the_limit_is_accepted(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id, update_id = await _update(app, client)
        content = PNG + b"\x00" * (LIMIT - len(PNG))
        response = await _upload(client, house_id, update_id, content)
        assert response.status_code == 201, response.text


class TestRefused:
    async def test_a_photo_over_the_limit_is_413_and_nothing_is_written(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id, update_id = await _update(app, client)
        content = PNG + b"\x00" * (LIMIT - len(PNG) + 1)

        response = await _upload(client, house_id, update_id, content)

        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["max_bytes"] == LIMIT
        assert [e["field"] for e in response.json()["errors"]] == ["body.file"]
        assert _stored_files(app) == []
        photos = await client.get(f"/v1/house-works/{house_id}/updates/{update_id}/photos")
        assert photos.json() == []

    @pytest.mark.parametrize(
        ("content", "content_type"),
        [
            (b"%PDF-1.7\n" + b"\x00" * 50, "application/pdf"),
            (b"%PDF-1.7\n" + b"\x00" * 50, "image/png"),  # a renamed PDF
            (JPEG, "image/png"),  # a JPEG claiming to be a PNG
            (b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 50, "image/webp"),  # audio, not WebP
            (b"GIF89a" + b"\x00" * 50, "image/gif"),
        ],
    )
    async def test_a_file_of_the_wrong_type_is_415_and_nothing_is_written(
        self, app: FastAPI, client: httpx.AsyncClient, content: bytes, content_type: str
    ) -> None:
        house_id, update_id = await _update(app, client)

        response = await _upload(client, house_id, update_id, content, content_type)

        assert response.status_code == 415
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["accepted"] == ["image/jpeg", "image/png", "image/webp"]
        assert _stored_files(app) == []

    async def test_an_unknown_house_or_update_is_404_and_nothing_is_written(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id, update_id = await _update(app, client)
        other_house = await under_construction(app, client)
        for house, update in [
            (UNKNOWN_ID, update_id),
            (house_id, UNKNOWN_ID),
            (other_house, update_id),  # the update belongs to another house
        ]:
            response = await _upload(client, house, update, PNG)
            assert response.status_code == 404, (house, update)
            assert response.headers["content-type"] == "application/problem+json"
        assert _stored_files(app) == []
        assert (await client.get(f"/v1/photos/{UNKNOWN_ID}/content")).status_code == 404

    async def test_an_upload_without_who_sent_it_is_422_naming_the_field(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id, update_id = await _update(app, client)
        response = await client.post(
            f"/v1/house-works/{house_id}/updates/{update_id}/photos",
            files={"file": ("a.png", PNG, "image/png")},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.uploaded_by"]
        assert _stored_files(app) == []

    async def test_an_update_takes_at_most_the_allowed_number_of_photos(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        house_id, update_id = await _update(app, client)
        for _ in range(MAX_PER_UPDATE):
            assert (await _upload(client, house_id, update_id, PNG)).status_code == 201
        response = await _upload(client, house_id, update_id, PNG)
        assert response.status_code == 409
        assert len(_stored_files(app)) == MAX_PER_UPDATE


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible server (moto) on 127.0.0.1 inside this test process."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
async def s3_app(
    tmp_path: Path, database_url: str, s3_endpoint: str, auth_settings: AuthSettings
) -> AsyncIterator[tuple[FastAPI, Any]]:
    """The service configured for production storage: photos in an S3 bucket."""
    bucket = f"photos-{tmp_path.name.lower().replace('_', '-')[:40]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=bucket)
    settings = ConstructionSettings(
        database_url=database_url,
        create_topics=False,
        consumer_enabled=False,
        relay_enabled=False,
        log_json=False,
        photo_max_bytes=LIMIT,
        storage_backend="s3",
        storage_s3_bucket=bucket,
        storage_s3_endpoint_url=s3_endpoint,
        storage_s3_region="us-east-1",
        storage_s3_access_key_id="testing",
        storage_s3_secret_access_key="testing",
        storage_s3_key_prefix="construction",
        storage_s3_addressing_style="path",
    )
    application = create_app(settings, auth_settings)
    async with application.router.lifespan_context(application):
        yield application, (s3, bucket)


class TestOnS3:
    async def test_a_photo_goes_to_the_bucket_and_comes_back(
        self, s3_app: tuple[FastAPI, Any], issuer: DevIssuer
    ) -> None:
        app, (s3, bucket) = s3_app
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://c", headers=national_headers(issuer)
        ) as client:
            house_id, update_id = await _update(app, client)
            response = await _upload(client, house_id, update_id, JPEG, "image/jpeg")
            assert response.status_code == 201, response.text
            photo = response.json()

            served = await client.get(f"/v1/photos/{photo['id']}/content")
            refused = await _upload(client, house_id, update_id, PNG, "image/jpeg")

        assert (served.status_code, served.content) == (200, JPEG)
        assert refused.status_code == 415
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert keys == [f"construction/{house_id}/{photo['id']}.jpg"]
