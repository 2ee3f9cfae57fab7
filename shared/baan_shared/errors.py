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


# pydantic's error types in plain words (its own messages read like the library's:
# "Field required", "Input should be a valid integer", "Value error, ...").
_RULES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field this request takes",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "uuid_parsing": "must be an id (a UUID)",
    "uuid_type": "must be an id (a UUID)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_type": "must be a date (YYYY-MM-DD)",
    "datetime_parsing": "must be a date and time (ISO 8601)",
    "datetime_from_date_parsing": "must be a date and time (ISO 8601)",
    "datetime_type": "must be a date and time (ISO 8601)",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "json_invalid": "is not valid JSON",
    "greater_than_equal": "must be {ge} or more",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be {le} or less",
    "less_than": "must be less than {lt}",
    "string_too_short": "must be at least {min_length} characters",
    "string_too_long": "must be at most {max_length} characters",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "string_pattern_mismatch": "must match the pattern {pattern}",
    "enum": "must be one of {expected}",
    "literal_error": "must be one of {expected}",
    "multiple_of": "must be a multiple of {multiple_of}",
}
# Rules written in the models themselves: pydantic puts its own words in front.
_PREFIXES = ("Value error, ", "Assertion failed, ")
# Values never echoed back in an error (a person's identity, secrets).
_UNECHOED = ("national_id", "password", "token", "secret")


def plain_reason(problem: Mapping[str, Any]) -> str:
    """A pydantic (or FastAPI) validation error's rule in plain words."""
    message = str(problem.get("msg", "is not valid"))
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            return message.removeprefix(prefix)
    rule = _RULES.get(str(problem.get("type")))
    if rule is None:
        return message
    try:
        reason = rule.format(**(problem.get("ctx") or {}))
    except (KeyError, IndexError):
        return message
    return reason.replace("at least 1 characters", "at least one character").replace(
        "at least 1 items", "at least one item"
    )


def _echoed(field: str, problem: Mapping[str, Any]) -> Any:
    """The refused value when it helps to see it: a short scalar the caller sent."""
    value = problem.get("input", _NOT_GIVEN)
    if problem.get("type") == "missing" or field.rsplit(".", 1)[-1].endswith(_UNECHOED):
        return _NOT_GIVEN
    if isinstance(value, bool | int | float) or (isinstance(value, str) and len(value) <= 80):
        return value
    return _NOT_GIVEN


def field_errors_of(
    problems: Iterable[Mapping[str, Any]], *, prefix: str | None = None
) -> list[dict[str, Any]]:
    """pydantic's (or FastAPI's) validation errors as ``errors`` entries, each field
    by its path (``prefix`` first, e.g. ``body`` for a model built from a body), the
    value refused (when short and not personal) and the rule in plain words."""
    entries = []
    for problem in problems:
        path = [str(part) for part in problem.get("loc", ())]
        field = ".".join([prefix, *path] if prefix else path)
        entries.append(
            field_error(
                field,
                plain_reason(problem),
                problem.get("type", "invalid"),
                value=_echoed(field, problem),
            )
        )
    return entries
