"""The progress report's kept answers (``reports/answers.py``): the bytes its documented
model gives, kept only while the projections stand still, only for the caller's
areas, with an ETag that spares a client the download of what it already holds.
On SQLite and PostgreSQL."""

import gzip
import random
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from reporting_auth import BASE_URL, NATIONAL_SCOPES, national_headers
from reporting_factories import (
    CANAL,
    T0,
    Household,
    apply_events,
    journey,
    realistic_mix,
)

from baan_shared.events import CloudEvent
from baan_testkit import auth as auth_testing
from baan_testkit.auth import ClientFor
from reporting.reports.answers import (
    GZIP_FROM,
    Accepts,
    Answer,
    AnswerCache,
    accepts_gzip,
    json_answer,
)
from reporting.reports.schemas import ProgressReport

RUN_ON_BOTH_DATABASES = True

PROGRESS = "/v1/reports/progress"
QUERIES: list[dict[str, Any]] = [
    {},
    {"programme": CANAL},
    {"province_code": "57"},
    {"fiscal_year": 2568},
    {"fiscal_year": 2568, "period": "h1"},
    {"programme": "BAAN_PHO_PHIANG", "province_code": "10", "fiscal_year": 2568},
]
STAGES = ["surveyed", "approved", "ready_to_build", "under_construction", "completed"]


def generated(count: int, seed: int = 15) -> list[CloudEvent]:
    """``count`` households at every stage, both programmes and provinces, approved on
    either side of FY 2568's halves."""
    rng = random.Random(seed)
    events: list[CloudEvent] = []
    for _ in range(count):
        household = Household(
            programme=rng.choice(["BAAN_PHO_PHIANG", CANAL]),
            province_code=rng.choice(["57", "10"]),
        )
        start = T0 + timedelta(days=rng.randrange(240))
        events += journey(rng.choice(STAGES), household=household, start=start)
    return events


def approval(province: str = "57") -> list[CloudEvent]:
    return journey("approved", household=Household(province_code=province), start=T0)


async def _ok(client: httpx.AsyncClient, **params: Any) -> httpx.Response:
    response = await client.get(PROGRESS, params=params)
    assert response.status_code == 200, response.text
    return response


async def test_every_answer_is_the_json_its_documented_model_gives(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, realistic_mix() + generated(40))
    for params in QUERIES:
        first, kept = await _ok(client, **params), await _ok(client, **params)
        # The model's own JSON of the figures: same fields, same order, same values.
        document = ProgressReport.model_validate_json(first.content)
        assert first.content == document.model_dump_json().encode(), params
        assert first.headers["content-type"] == "application/json"
        assert kept.content == first.content
        assert kept.headers["etag"] == first.headers["etag"]
    everything = ProgressReport.model_validate_json((await _ok(client)).content)
    assert everything.totals.surveyed == 11 + 40
    assert len(everything.rows) == 3 + 1  # realistic_mix's three, and canal in 57


async def test_an_approval_projected_after_an_answer_is_in_the_next_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, realistic_mix())
    before = await _ok(client)
    assert (await _ok(client)).headers["etag"] == before.headers["etag"]
    await apply_events(app, approval())
    after = await _ok(client)
    assert after.json()["totals"]["approved"] == before.json()["totals"]["approved"] + 1
    assert after.headers["etag"] != before.headers["etag"]
    # A dashboard holding the old answer gets the new one, not "not modified".
    revalidated = await client.get(PROGRESS, headers={"If-None-Match": before.headers["etag"]})
    assert revalidated.status_code == 200
    assert revalidated.content == after.content


async def test_a_client_holding_the_current_answer_is_told_it_is_not_modified(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, realistic_mix())
    answer = await _ok(client, programme=CANAL)
    etag = answer.headers["etag"]
    for given in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await client.get(
            PROGRESS, params={"programme": CANAL}, headers={"If-None-Match": given}
        )
        assert again.status_code == 304, given
        assert again.content == b""
        assert again.headers["etag"] == etag
    # The same ETag names another query's answer only if its bytes are the same.
    other = await client.get(PROGRESS, headers={"If-None-Match": etag})
    assert other.status_code == 200


async def test_a_large_answer_goes_gzip_coded_to_a_client_that_accepts_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await apply_events(app, realistic_mix() + generated(40))

    async def raw(accept_encoding: str, **headers: str) -> tuple[httpx.Response, bytes]:
        async with client.stream(
            "GET", PROGRESS, headers={"Accept-Encoding": accept_encoding, **headers}
        ) as response:
            return response, b"".join([part async for part in response.aiter_raw()])

    plain, plain_bytes = await raw("identity")
    assert "content-encoding" not in plain.headers
    assert len(plain_bytes) >= GZIP_FROM
    coded, coded_bytes = await raw("br;q=1.0, gzip;q=0.8")  # as a browser asks
    assert coded.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in coded.headers["vary"]
    # The same JSON, a fraction of the bytes, under its own validator.
    assert gzip.decompress(coded_bytes) == plain_bytes
    assert len(coded_bytes) < len(plain_bytes) / 3
    assert coded.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    # A client that refuses gzip, or names no coding, gets the bytes as they are.
    for refusing in ("gzip;q=0", "deflate", ""):
        answer, body = await raw(refusing)
        assert "content-encoding" not in answer.headers, refusing
        assert body == plain_bytes
    # Holding either coding's answer, a client is told it still holds the answer.
    for held in (plain.headers["etag"], coded.headers["etag"]):
        for accept_encoding in ("gzip", "identity"):
            again, body = await raw(accept_encoding, **{"If-None-Match": held})
            assert again.status_code == 304 and body == b"", (held, accept_encoding)


def test_small_answers_and_refused_codings_go_as_they_are() -> None:
    assert accepts_gzip("gzip, deflate")
    assert accepts_gzip("*")
    assert accepts_gzip("x-gzip")
    assert accepts_gzip("GZIP;Q=0.5")
    for refused in (None, "", "identity", "br", "gzip;q=0", "gzip; q=0.0, *;q=1", "*;q=0"):
        assert not accepts_gzip(refused), refused
    small = Answer.of(b'{"rows": []}')
    answer = json_answer(small, Accepts(accept_encoding="gzip"))
    assert "content-encoding" not in answer.headers
    assert answer.body == small.body and answer.headers["etag"] == small.etag


async def test_a_caller_bound_to_a_province_never_gets_anothers_kept_answer(
    app: FastAPI, client: httpx.AsyncClient, client_for: ClientFor
) -> None:
    await apply_events(app, realistic_mix())
    national = await _ok(client)  # kept first, for the whole country
    async with (
        client_for("chiang-rai-office", NATIONAL_SCOPES, ["57"]) as chiang_rai,
        client_for("bangkok-office", NATIONAL_SCOPES, ["10"]) as bangkok,
    ):
        for _ in range(2):  # the first answer, then the kept one
            mine = await _ok(chiang_rai)
            assert {row["province_code"] for row in mine.json()["rows"]} == {"57"}
            assert mine.json()["totals"]["surveyed"] == 6
            theirs = await _ok(bangkok)
            assert {row["province_code"] for row in theirs.json()["rows"]} == {"10"}
            # Elsewhere is nowhere, also once Bangkok's own answer is kept.
            asked_for_bangkok = await _ok(chiang_rai, province_code="10")
            assert asked_for_bangkok.json()["rows"] == []
        # Holding the national answer's ETag gets a province its own figures, not a 304.
        revalidated = await chiang_rai.get(
            PROGRESS, headers={"If-None-Match": national.headers["etag"]}
        )
        assert revalidated.status_code == 200
        assert revalidated.content == mine.content
    assert (await _ok(client)).content == national.content


async def test_a_replica_answers_with_an_approval_another_replica_projected(
    two_replicas: tuple[FastAPI, FastAPI],
) -> None:
    reading, projecting = two_replicas
    await apply_events(projecting, realistic_mix())
    async with auth_testing.asgi_client(reading, BASE_URL, national_headers()) as client:
        before = (await _ok(client)).json()["totals"]
        assert before["surveyed"] == 11
        await apply_events(projecting, approval("10"))
        after = (await _ok(client)).json()["totals"]
    assert after["approved"] == before["approved"] + 1


def test_kept_answers_stay_within_their_bytes_the_least_recently_read_going_first() -> None:
    answers = AnswerCache(max_bytes=10)
    version = ("marks",)
    for key in "abc":
        answers.put(key, version, Answer.of(b"1234"))
    assert answers.get("a", version) is None  # 12 bytes: the oldest went
    assert answers.get("b", version) is not None  # read: now the most recent
    answers.put("d", version, Answer.of(b"1234"))
    assert answers.get("c", version) is None
    assert answers.get("b", version) is not None
    assert answers.get("b", ("other marks",)) is None
    answers.put("e", version, Answer.of(b"x" * 11))  # larger than the whole: not kept
    assert answers.get("e", version) is None
