"""One set of handlers: every 4xx/5xx is RFC 9457 problem+json.

Services raise the ``baan_shared.errors`` family (never ``HTTPException``); this
module is where it meets HTTP. Validation errors name each field by its path,
e.g. ``body.head.national_id``.
"""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from baan_shared.errors import (  # re-exported: older imports keep working
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
    field_error,
    field_errors_of,
)

__all__ = [
    "PROBLEM_JSON",
    "AppError",
    "Conflict",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "Unprocessable",
    "UnsupportedMediaType",
    "document_validation_errors_as_problems",
    "install_error_handlers",
    "problem",
    "problem_responses",
]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://baan.example.org/problems/"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return field_errors_of(exc.errors())


def _described(error: dict[str, Any]) -> str:
    """``field (value): rule``, the value when the entry shows it."""
    if "value" not in error:
        return f"{error['field']}: {error['reason']}"
    value = error["value"] or '""'
    return f"{error['field']} ({value}): {error['reason']}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            errors=exc.errors,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        fields = ", ".join(_described(e) for e in errors)
        return problem(
            422,
            "validation-error",
            "Your request is not valid",
            fields or "invalid request",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI/Starlette answer 400 when the body cannot be decoded at all (bytes
            # that are not UTF-8 JSON, broken multipart). To the caller that is one more
            # invalid field, the body: answer it like every other validation error.
            return problem(
                422,
                "validation-error",
                "Your request is not valid",
                f"body: {exc.detail}",
                instance=request.url.path,
                errors=[field_error("body", str(exc.detail), "unreadable_body")],
            )
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem(
            exc.status_code,
            code,
            str(exc.detail) if exc.status_code != 404 else "Not found",
            str(exc.detail),
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(IntegrityError)
    async def _integrity_error(request: Request, exc: IntegrityError) -> JSONResponse:
        # Services check their rules first; a constraint that still fires means a
        # concurrent request won the race (same reference, same key): the client's
        # request conflicts with it, which is a 409, never a 500.
        log.warning(
            "constraint violation", extra={"path": request.url.path, "error": str(exc.orig)}
        )
        return problem(
            409,
            "conflict",
            "Conflict",
            "the request conflicts with a concurrent or existing record; read it and retry",
            instance=request.url.path,
        )

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A number past what the database column holds (e.g. 2**63 satang): the
        # caller's input, so a 422, never a 500. Schemas bound their fields; this is
        # the net under the ones that do not. The request's transaction rolls back.
        log.warning("value out of range", extra={"path": request.url.path, "error": str(exc)})
        return problem(
            422,
            "validation-error",
            "Your request is not valid",
            "a value is out of the range the platform can store",
            instance=request.url.path,
            errors=[field_error("body", "a number is too large", "out_of_range")],
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            500,
            "internal-error",
            "Internal server error",
            "An unexpected error occurred.",
            instance=request.url.path,
        )


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each invalid field and why.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {
                    "field": {"type": "string"},
                    "reason": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}


def document_validation_errors_as_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what the handlers do: a 422 is problem+json.

    FastAPI documents every operation's 422 as ``application/json``
    ``HTTPValidationError``; rewriting it here, once, means no operation can
    forget (partners generate clients from this document).
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = PROBLEM_SCHEMA
            for components_name in ("HTTPValidationError", "ValidationError"):
                components.pop(components_name, None)
            problem_ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content")
                        if content is None:
                            continue
                        if status == "422":
                            content.pop("application/json", None)
                            content[PROBLEM_JSON] = problem_ref
                        elif content.get(PROBLEM_JSON) == {}:
                            content[PROBLEM_JSON] = problem_ref
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_responses(descriptions: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting problem+json errors, e.g. {404: "No such household"}."""
    return {
        code: {"description": text, "content": {PROBLEM_JSON: {}}}
        for code, text in descriptions.items()
    }
