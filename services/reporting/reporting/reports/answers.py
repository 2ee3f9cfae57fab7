"""Report answers kept as JSON bytes, each for one version of the projections.

A dashboard asks for the same report again and again while nothing changes: the
answer is then the same bytes, so it is kept and sent as it is. What it depends on
is the key: the report, the caller's areas and the query. Whether it is still true
is the version: the projections' high-water marks (``projection_state``), read from
the database at each request. Every projection commit moves a mark in the same
transaction as the rows it changes, so the first request after it misses, on every
replica, and no answer outlives the data it was made of.
"""

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property
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

    @cached_property
    def gzipped(self) -> bytes:
        """``body`` gzip-coded, made the first time a client that accepts it asks, then
        kept with the answer (no time stamp in it: every replica codes the same bytes)."""
        return gzip.compress(self.body, compresslevel=GZIP_LEVEL, mtime=0)

    @property
    def gzip_etag(self) -> str:
        """The gzip-coded answer's own validator (another representation, RFC 9110)."""
        return f'{self.etag[:-1]}-gzip"'


GZIP_FROM = 1400
"""Answers from this size go gzip-coded to a client that accepts it (a national
progress report of about 450 KB goes as about 50 KB; below a packet, coding saves
nothing)."""
GZIP_LEVEL = 1
"""zlib's fastest: an answer is coded again at every version of the projections (under
live load, at almost every request), and for a 440 KB report of figures the fastest
level took 1.3 ms for 53 KB where the default (6) took 3.0 ms for 46 KB."""


def areas_key(principal: Principal | None) -> Hashable:
    """What of the caller decides which rows it sees: its areas (or all of them)."""
    if principal is None or principal.all_areas:
        return "*"
    return principal.areas


class AnswerCache:
    """The latest answer per key, as long as the version it was made at is current.

    Bounded in bytes (the least recently used answers go first): a national progress
    report is about 450 KB, a province's a few KB; an answer's gzip-coded bytes, once
    made, stay with it and add about an eighth, uncounted. A key's answer from an older
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


def matches(if_none_match: str | None, *etags: str) -> bool:
    """Whether ``If-None-Match`` names one of ``etags`` (weak comparison, as RFC 9110
    asks for this header), or is ``*``."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") in etags for tag in if_none_match.split(","))


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` lets the answer go gzip-coded: ``gzip`` (or ``*``)
    named without ``q=0`` (RFC 9110, 12.5.3)."""
    accepted: dict[str, bool] = {}
    for item in (accept_encoding or "").split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        accepted[coding.lower()] = weight > 0
    return accepted.get("gzip", accepted.get("x-gzip", accepted.get("*", False)))


async def kept_answers(request: Request) -> AnswerCache:
    """The app's answers kept per version of the projections (one cache per app, so
    apps on other databases in one process never share one)."""
    answers: AnswerCache | None = getattr(request.app.state, "report_answers", None)
    if answers is None:
        answers = request.app.state.report_answers = AnswerCache()
    return answers


KeptAnswers = Annotated[AnswerCache, Depends(kept_answers)]


@dataclass(frozen=True)
class Accepts:
    """What a request says about the answer it can take."""

    if_none_match: str | None = None
    accept_encoding: str | None = None


def _accepts(
    if_none_match: Annotated[
        str | None,
        Header(
            description="The ETag of an answer the client holds: 304 and no body while it "
            "is still the answer"
        ),
    ] = None,
    accept_encoding: Annotated[
        str | None,
        Header(
            description="`gzip` (as browsers send): an answer of 1,400 bytes or more comes "
            "gzip-coded (`Content-Encoding: gzip`)"
        ),
    ] = None,
) -> Accepts:
    return Accepts(if_none_match, accept_encoding)


ClientAccepts = Annotated[Accepts, Depends(_accepts)]
KEPT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "ETag": {
                "description": "This answer's validator: the same bytes carry the same one "
                "on every replica (`-gzip` at its end when gzip-coded)",
                "schema": {"type": "string"},
            },
            "Content-Encoding": {
                "description": "`gzip` when the answer went gzip-coded (`Accept-Encoding`)",
                "schema": {"type": "string"},
            },
        }
    },
    304: {"description": "Not Modified: the answer is still the one `If-None-Match` names"},
}
"""What a route answering with ``json_answer`` adds to its documented responses."""


def json_answer(answer: Answer, accepts: Accepts) -> Response:
    """The answer (gzip-coded when it is large and the client accepts that), or 304 Not
    Modified when the client already holds it (its ETag, either coding's)."""
    coded = len(answer.body) >= GZIP_FROM and accepts_gzip(accepts.accept_encoding)
    headers = {"ETag": answer.gzip_etag if coded else answer.etag, "Vary": "Accept-Encoding"}
    if matches(accepts.if_none_match, answer.etag, answer.gzip_etag):
        return Response(status_code=304, headers=headers)
    if coded:
        headers["Content-Encoding"] = "gzip"
        return Response(answer.gzipped, media_type="application/json", headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)
