"""Photos of a household's house and land: stored, listed, fetched; wrong files refused."""

from typing import Any

import httpx
from survey_factories import household_body

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


async def _household(client: httpx.AsyncClient) -> str:
    response = await client.post("/v1/households", json=household_body())
    return str(response.json()["id"])


async def _upload(
    client: httpx.AsyncClient,
    household_id: str,
    content: bytes,
    content_type: str = "image/jpeg",
    **form: Any,
) -> httpx.Response:
    return await client.post(
        f"/v1/households/{household_id}/photos",
        files={"file": ("photo", content, content_type)},
        data={"subject": "house", "uploaded_by": "อาสาสมัคร"} | form,
    )


class TestHouseholdPhotos:
    async def test_a_photo_is_stored_listed_and_fetched_byte_for_byte(
        self, client: httpx.AsyncClient
    ) -> None:
        household_id = await _household(client)
        house = await _upload(client, household_id, JPEG, caption="หลังคารั่ว")
        assert house.status_code == 201, house.text
        land = await _upload(client, household_id, PNG, "image/png", subject="land")
        assert land.status_code == 201, land.text
        listed = (await client.get(f"/v1/households/{household_id}/photos")).json()
        assert [(p["subject"], p["content_type"]) for p in listed] == [
            ("house", "image/jpeg"),
            ("land", "image/png"),
        ]
        assert listed[0]["caption"] == "หลังคารั่ว"
        only_land = await client.get(
            f"/v1/households/{household_id}/photos", params={"subject": "land"}
        )
        assert [p["id"] for p in only_land.json()] == [land.json()["id"]]
        content = await client.get(
            f"/v1/households/{household_id}/photos/{house.json()['id']}/content"
        )
        assert content.status_code == 200
        assert content.headers["content-type"] == "image/jpeg"
        assert content.content == JPEG

    async def test_a_file_that_is_not_the_image_it_claims_is_415(
        self, client: httpx.AsyncClient
    ) -> None:
        household_id = await _household(client)
        response = await _upload(client, household_id, b"%PDF-1.7 not a photo")
        assert response.status_code == 415
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["body.file"]
        assert (await client.get(f"/v1/households/{household_id}/photos")).json() == []

    async def test_a_photo_over_the_limit_is_413(self, client: httpx.AsyncClient) -> None:
        household_id = await _household(client)
        response = await _upload(client, household_id, JPEG + bytes(5 * 1024 * 1024))
        assert response.status_code == 413
        assert response.json()["max_bytes"] == 5 * 1024 * 1024
        assert (await client.get(f"/v1/households/{household_id}/photos")).json() == []

    async def test_an_unknown_subject_is_422_naming_it(self, client: httpx.AsyncClient) -> None:
        household_id = await _household(client)
        response = await _upload(client, household_id, JPEG, subject="kitchen")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.subject"]

    async def test_photos_of_an_unknown_household_or_photo_are_404(
        self, client: httpx.AsyncClient
    ) -> None:
        unknown = "0190f5d2-0000-7000-8000-000000000000"
        assert (await _upload(client, unknown, JPEG)).status_code == 404
        household_id = await _household(client)
        response = await client.get(f"/v1/households/{household_id}/photos/{unknown}/content")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
