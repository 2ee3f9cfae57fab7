"""The partner client library (clients/python, ``baan_client``) against the running platform.

The client gets its token from the development issuer over HTTP (client credentials,
the ``baan-national`` client), registers households on the survey service, reads
them back through cursor pages, and retries a write whose answer was lost on the
way back: the service answers the retry from its Idempotency-Key record, so the
household exists once. Unit tests of each behaviour: clients/python/tests.
"""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from platform_harness import Platform, household_body

from baan_client import IDEMPOTENCY_HEADER, ApiError, BaanClient
from baan_local.dev_issuer import DevIssuerServer
from baan_local.ports import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

NATIONAL = ("baan-national", "dev-national-secret")


@pytest.fixture(scope="module")
def token_url(platform: Platform) -> Iterator[str]:
    """The platform's issuer served over HTTP, as a partner's OIDC provider would be."""
    server = DevIssuerServer(platform.issuer, free_port())
    server.start()
    try:
        yield f"{server.url}/oauth/token"
    finally:
        server.stop()


class LosesFirstAnswer(httpx.AsyncBaseTransport):
    """Sends every request; drops the answer to the first POST of ``path``, as a
    connection cut after the service committed would."""

    def __init__(self, path: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.path = path
        self.writes: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path == self.path:
            self.writes.append(request)
            if len(self.writes) == 1:
                await response.aread()
                await response.aclose()
                raise httpx.ReadError("connection reset before the answer", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _client(
    platform: Platform, token_url: str, transport: httpx.AsyncBaseTransport | None = None
) -> BaanClient:
    return BaanClient(
        token_url=token_url,
        client_id=NATIONAL[0],
        client_secret=NATIONAL[1],
        base_urls={name: platform.url(name) for name in ("survey", "construction", "finance")},
        transport=transport,
    )


async def test_the_client_registers_households_and_reads_them_through_cursor_pages(
    platform: Platform, token_url: str
) -> None:
    village = f"ชุมชนทดสอบไคลเอนต์ {uuid.uuid4().hex[:8]}"
    async with _client(platform, token_url) as baan:
        created = [
            await baan.survey.post(
                "/v1/households",
                household_body(village=village, head_name=f"นายทดสอบ หน้า{n}"),
            )
            for n in range(3)
        ]
        pages = [
            page
            async for page in baan.survey.pages("/v1/households", params={"q": village, "limit": 1})
        ]
        items = [h async for h in baan.survey.items("/v1/households", params={"q": village})]
        assert baan.tokens.fetched == 1  # one token for every request

        with pytest.raises(ApiError) as missing:
            await baan.survey.get(f"/v1/households/{uuid.uuid4()}")

    ids = {h["id"] for h in created}
    assert len(ids) == 3
    assert [len(page["items"]) for page in pages] == [1, 1, 1]
    assert {page["items"][0]["id"] for page in pages} == ids
    assert pages[-1]["next_cursor"] is None
    assert {h["id"] for h in items} == ids
    assert missing.value.status_code == 404
    assert missing.value.problem.get("status") == 404


async def test_a_write_whose_answer_was_lost_is_retried_and_acts_once(
    platform: Platform, token_url: str
) -> None:
    village = f"ชุมชนทดสอบส่งซ้ำ {uuid.uuid4().hex[:8]}"
    transport = LosesFirstAnswer("/v1/households")
    async with _client(platform, token_url, transport=transport) as baan:
        created = await baan.survey.post("/v1/households", household_body(village=village))
        listed = [h async for h in baan.survey.items("/v1/households", params={"q": village})]

    first, retry = transport.writes
    assert first.headers[IDEMPOTENCY_HEADER] == retry.headers[IDEMPOTENCY_HEADER]
    assert first.content == retry.content
    assert [h["id"] for h in listed] == [created["id"]]
