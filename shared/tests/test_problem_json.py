"""Every error is RFC 9457 problem+json, including the framework's own."""

from datetime import date
from typing import Literal

import httpx
from fastapi import FastAPI, UploadFile
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.exc import IntegrityError

from baan_shared.errors import Conflict
from baan_shared.http.errors import document_validation_errors_as_problems, install_error_handlers


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    document_validation_errors_as_problems(app)

    class Body(BaseModel):
        amount_satang: int

    @app.post("/things")
    async def create(body: Body) -> dict[str, int]:
        return {"amount_satang": body.amount_satang}

    @app.post("/things/conflict")
    async def conflict() -> None:
        raise Conflict("a completed house cannot start again", current_status="completed")

    @app.post("/things/race")
    async def race() -> None:
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key value"))

    @app.post("/things/photo")
    async def photo(file: UploadFile) -> dict[str, str]:
        return {"name": file.filename or ""}

    @app.post("/things/huge")
    async def huge() -> None:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("bug")

    return app


async def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_app(), raise_app_exceptions=False), base_url="http://t"
    )


async def test_validation_error_names_the_field_and_reason() -> None:
    async with await _client() as client:
        response = await client.post("/things", json={"amount_satang": "lots"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/validation-error")
    assert problem["errors"][0]["field"] == "body.amount_satang"
    assert problem["errors"][0]["reason"] == "must be a whole number"


async def test_validation_errors_name_the_value_and_the_rule_in_plain_words() -> None:
    """Never the library's wording ("Field required", "Input should be ...", "Value
    error, ..."); the value refused, except a national ID."""
    app = _app()

    class Member(BaseModel):
        national_id: str
        kind: Literal["tambon", "municipality"]
        income_satang: int = Field(ge=0)
        name: str = Field(min_length=1)
        joined_on: date

        @field_validator("national_id")
        @classmethod
        def thirteen_digits(cls, value: str) -> str:
            if len(value) != 13:
                raise ValueError("a Thai national ID is 13 digits")
            return value

    @app.post("/members")
    async def join(member: Member) -> None:
        return None

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        body = {"national_id": "3100", "kind": "city", "income_satang": -500, "name": ""}
        problem = (await client.post("/members", json=body)).json()
    assert [(e["field"], e.get("value"), e["reason"]) for e in problem["errors"]] == [
        ("body.national_id", None, "a Thai national ID is 13 digits"),
        ("body.kind", "city", "must be one of 'tambon' or 'municipality'"),
        ("body.income_satang", "-500", "must be 0 or more"),
        ("body.name", "", "must be at least one character"),
        ("body.joined_on", None, "is required"),
    ]
    assert problem["detail"].startswith(
        "body.national_id: a Thai national ID is 13 digits, "
        "body.kind (city): must be one of 'tambon' or 'municipality', "
        "body.income_satang (-500): must be 0 or more"
    )
    assert "3100" not in str(problem)


async def test_domain_conflict_carries_its_extension_members() -> None:
    async with await _client() as client:
        response = await client.post("/things/conflict")
    assert response.status_code == 409
    assert response.json()["current_status"] == "completed"
    assert response.json()["instance"] == "/things/conflict"


async def test_unknown_route_and_unexpected_error_are_problem_json() -> None:
    async with await _client() as client:
        missing = await client.get("/nowhere")
        boom = await client.get("/boom")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert boom.status_code == 500
    assert boom.headers["content-type"] == "application/problem+json"
    assert "bug" not in boom.text  # internals are logged, not shown


async def test_a_lost_race_on_a_unique_constraint_is_409_not_500() -> None:
    async with await _client() as client:
        response = await client.post("/things/race")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert "duplicate key" not in response.text  # database internals stay in the log


async def test_a_body_that_is_not_utf8_json_is_a_422_naming_the_body() -> None:
    async with await _client() as client:
        response = await client.post(
            "/things", content=b"\xff\xfe", headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"].startswith("body")


async def test_a_broken_multipart_body_is_a_422_naming_the_body() -> None:
    async with await _client() as client:
        response = await client.post(
            "/things/photo",
            content=b"--x\r\nContent-Disposition: form-data\r\n\r\nno end",
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == ("body", "unreadable_body")
    assert error["reason"]


def test_the_openapi_document_says_422_is_problem_json() -> None:
    schema = _app().openapi()
    invalid = schema["paths"]["/things"]["post"]["responses"]["422"]
    assert list(invalid["content"]) == ["application/problem+json"]
    assert invalid["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "HTTPValidationError" not in schema["components"]["schemas"]


async def test_a_number_too_large_to_store_is_a_422_not_a_500() -> None:
    async with await _client() as client:
        response = await client.post("/things/huge")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["code"] == "out_of_range"
