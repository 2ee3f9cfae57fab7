"""The platform's one error family, raised by services and pure domain rules alike.

Nothing here knows HTTP: ``baan_shared.http.errors`` turns an ``AppError`` into
RFC 9457 problem+json (its ``status``, ``code`` and ``title``, the ``detail``,
the named ``errors`` and any extra members). A rule that refuses one input names
the field with ``field_error`` (or raises ``invalid``), so every refusal says the
field, the value where it helps, and the rule in plain words.
"""

from collections.abc import Iterable, Mapping
from typing import Any


class AppError(Exception):
    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class NotFound(AppError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(AppError):
    """The request is valid but the resource's state forbids it (e.g. an illegal transition)."""

    status = 409
    code = "conflict"
    title = "Conflict"


class Unprocessable(AppError):
    status = 422
    code = "validation-error"
    title = "Your request is not valid"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class PayloadTooLarge(AppError):
    """An upload over its size limit (413); say the limit in ``max_bytes``."""

    status = 413
    code = "payload-too-large"
    title = "The upload is too large"


class UnsupportedMediaType(AppError):
    """An upload whose declared type or first bytes are not accepted (415)."""

    status = 415
    code = "unsupported-media-type"
    title = "This type of file is not accepted"


_NOT_GIVEN: Any = object()


def field_error(
    field: str,
    reason: str,
    code: str | None = None,
    *,
    value: Any = _NOT_GIVEN,
) -> dict[str, Any]:
    """One entry of a problem's ``errors``: the field by its path (``body.code``,
    ``query.sort``, ``header.Authorization``), the value when it helps the caller
    (given as text), why it is refused, and a machine-readable code."""
    entry: dict[str, Any] = {"field": field}
    if value is not _NOT_GIVEN:
        entry["value"] = value if isinstance(value, str) else str(value)
    entry["reason"] = reason
    if code is not None:
        entry["code"] = code
    return entry


def invalid(
    field: str,
    reason: str,
    code: str | None = None,
    *,
    detail: str | None = None,
    value: Any = _NOT_GIVEN,
    **extra: Any,
) -> Unprocessable:
    """A 422 refusing one field; the detail is the reason unless given."""
    return Unprocessable(
        reason if detail is None else detail,
        errors=[field_error(field, reason, code, value=value)],
        **extra,
    )


def field_errors_of(
    problems: Iterable[Mapping[str, Any]], *, prefix: str | None = None
) -> list[dict[str, Any]]:
    """pydantic's (or FastAPI's) validation errors as ``errors`` entries, each field
    by its path (``prefix`` first, e.g. ``body`` for a model built from a body)."""
    entries = []
    for problem in problems:
        path = [str(part) for part in problem.get("loc", ())]
        entries.append(
            field_error(
                ".".join([prefix, *path] if prefix else path),
                problem.get("msg", "invalid"),
                problem.get("type", "invalid"),
            )
        )
    return entries
