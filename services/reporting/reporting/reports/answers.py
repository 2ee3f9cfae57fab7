"""Report answers kept as JSON bytes, each for one version of the projections.

A dashboard asks for the same report again and again while nothing changes: the
answer is then the same bytes, so it is kept and sent as it is. What it depends on
is the key: the report, the caller's areas and the query. Whether it is still true
is the version: the projections' high-water marks (``projection_state``), read from
the database at each request. Every projection commit moves a mark in the same
transaction as the rows it changes, so the first request after it misses, on every
replica, and no answer outlives the data it was made of.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response

from baan_shared.auth import Principal

Version = tuple[Any, ...]
"""Every projection's mark on every stream, as read (one row each): compared, never
looked into, by the cache."""


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str
    """A strong validator of ``body`` (RFC 9110): its hash, so equal answers from any
    replica, before or after a restart, carry the same one."""

    @classmethod
    def of(cls, body: bytes) -> "Answer":
        return cls(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def areas_key(principal: Principal | None) -> Hashable:
    """What of the caller decides which rows it sees: its areas (or all of them)."""
    if principal is None or principal.all_areas:
        return "*"
    return principal.areas


class AnswerCache:
    """The latest answer per key, as long as the version it was made at is current.

    Bounded in bytes (the least recently used answers go first): a national progress
    report is about 450 KB, a province's a few KB. A key's answer from an older
    version is replaced, not kept beside the new one.
    """

    def __init__(self, max_bytes: int = 32 * 2**20) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._answers: OrderedDict[Hashable, tuple[Version, Answer]] = OrderedDict()

    def get(self, key: Hashable, version: Version) -> Answer | None:
        found = self._answers.get(key)
        if found is None or found[0] != version:
            return None
        self._answers.move_to_end(key)
        return found[1]

    def put(self, key: Hashable, version: Version, answer: Answer) -> None:
        replaced = self._answers.pop(key, None)
        if replaced is not None:
            self._bytes -= len(replaced[1].body)
        if len(answer.body) > self._max_bytes:
            return
        self._answers[key] = (version, answer)
        self._bytes += len(answer.body)
        while self._bytes > self._max_bytes:
            _key, (_version, oldest) = self._answers.popitem(last=False)
            self._bytes -= len(oldest.body)


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as RFC 9110 asks for
    this header), or is ``*``."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


async def kept_answers(request: Request) -> AnswerCache:
    """The app's answers kept per version of the projections (one cache per app, so
    apps on other databases in one process never share one)."""
    answers: AnswerCache | None = getattr(request.app.state, "report_answers", None)
    if answers is None:
        answers = request.app.state.report_answers = AnswerCache()
    return answers


KeptAnswers = Annotated[AnswerCache, Depends(kept_answers)]
IfNoneMatch = Annotated[
    str | None,
    Header(
        description="The ETag of an answer the client holds: 304 and no body while it is "
        "still the answer"
    ),
]
KEPT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "ETag": {
                "description": "This answer's validator: the same bytes carry the same one "
                "on every replica",
                "schema": {"type": "string"},
            }
        }
    },
    304: {"description": "Not Modified: the answer is still the one `If-None-Match` names"},
}
"""What a route answering with ``json_answer`` adds to its documented responses."""


def json_answer(answer: Answer, if_none_match: str | None) -> Response:
    """The answer, or 304 Not Modified when the client already holds it (its ETag)."""
    headers = {"ETag": answer.etag}
    if matches(if_none_match, answer.etag):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)
