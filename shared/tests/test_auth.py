"""Partner access on a tiny service: tokens, scopes, areas, masking, audit and
rate limits, on SQLite and on a real PostgreSQL server.

The app below is shaped like a Baan service (households with area codes and
personal data, a request-scoped session, ``Security(require_scopes(...))`` on
every operation) so each test reads as what a partner would see.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI, Request, Security
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from sqlalchemy import Column, MetaData, String, Table, Uuid, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import select as select_models
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_local.dev_issuer import DevIssuer
from baan_shared.auth import (
    AuthSettings,
    Principal,
    area_filter,
    does_not_exist,
    forbid_unless_covered,
    install_partner_access,
    mask_national_id,
    mask_phone,
    national_id_for,
    not_found_unless_covered,
    operations_without_scopes,
    phone_for,
    require_scopes,
    reveals_personal_data,
)
from baan_shared.auth.audit import AuditRecord, audit_log_router, audit_resource
from baan_shared.auth.audit.postgres import APPEND_ONLY_UPGRADE
from baan_shared.auth.ratelimit import RateLimitCounter
from baan_shared.db import create_engine, create_session_factory
from baan_shared.http.errors import install_error_handlers
from baan_shared.ids import new_id
from baan_testkit.areas import area_leaks, foreign_csv_rows, foreign_rows
from baan_testkit.pytest_plugin import MakeDatabase

ISSUER = "https://issuer.baan.test/realms/baan"
AUDIENCE = "baan"

# The test's own table: a separate MetaData keeps it out of the services' schema.
test_metadata = MetaData()
households = Table(
    "partner_access_households",
    test_metadata,
    Column("id", Uuid, primary_key=True),
    Column("province_code", String(2), nullable=False),
    Column("district_code", String(4)),
    Column("subdistrict_code", String(6)),
    Column("national_id", String(13), nullable=False),
    Column("phone", String(20)),
)


class HouseholdIn(BaseModel):
    province_code: str
    district_code: str | None = None
    subdistrict_code: str | None = None
    national_id: str
    phone: str | None = None


class HouseholdOut(HouseholdIn):
    id: uuid.UUID


def _out(row: Any, principal: Principal, reveal: bool) -> HouseholdOut:
    return HouseholdOut(
        id=row.id,
        province_code=row.province_code,
        district_code=row.district_code,
        subdistrict_code=row.subdistrict_code,
        national_id=row.national_id if reveal else national_id_for(principal, row.national_id),
        phone=row.phone if reveal else phone_for(principal, row.phone),
    )


def make_app(
    sessions: async_sessionmaker[AsyncSession],
    settings: AuthSettings,
    *,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    install_partner_access(app, settings, session_factory=sessions, clock=clock)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session
            await session.commit()

    Session = Annotated[AsyncSession, Depends(get_session, scope="function")]

    def in_areas(principal: Principal) -> Any:
        return area_filter(
            principal,
            province=households.c.province_code,
            district=households.c.district_code,
            subdistrict=households.c.subdistrict_code,
        )

    @app.get("/v1/households")
    async def list_households(
        request: Request,
        session: Session,
        principal: Annotated[Principal, Security(require_scopes("survey:read"))],
    ) -> list[HouseholdOut]:
        query = select(households).where(in_areas(principal)).order_by(households.c.id)
        rows = (await _execute(session, query)).all()
        reveal = await reveals_personal_data(
            session,
            request,
            principal,
            resource_type="household",
            resource_ids=[r.id for r in rows],
        )
        return [_out(row, principal, reveal) for row in rows]

    @app.get("/v1/households/export")
    async def export_households(
        session: Session,
        principal: Annotated[Principal, Security(require_scopes("survey:read"))],
    ) -> PlainTextResponse:
        query = select(households).where(in_areas(principal)).order_by(households.c.id)
        rows = (await _execute(session, query)).all()
        lines = ["id,province_code,district_code,subdistrict_code"]
        lines += [
            f"{r.id},{r.province_code},{r.district_code or ''},{r.subdistrict_code or ''}"
            for r in rows
        ]
        return PlainTextResponse("\ufeff" + "\n".join(lines), media_type="text/csv")

    @app.get("/v1/households/{household_id}")
    async def get_household(
        household_id: uuid.UUID,
        request: Request,
        session: Session,
        principal: Annotated[Principal, Security(require_scopes("survey:read"))],
    ) -> HouseholdOut:
        row = (
            await _execute(session, select(households).where(households.c.id == household_id))
        ).first()
        if row is None:
            raise does_not_exist(f"household {household_id}")
        not_found_unless_covered(
            principal,
            f"household {household_id}",
            province=row.province_code,
            district=row.district_code,
            subdistrict=row.subdistrict_code,
        )
        reveal = await reveals_personal_data(
            session, request, principal, resource_type="household", resource_ids=[row.id]
        )
        return _out(row, principal, reveal)

    @app.post("/v1/households", status_code=201)
    async def register_household(
        body: HouseholdIn,
        request: Request,
        session: Session,
        principal: Annotated[Principal, Security(require_scopes("survey:write"))],
    ) -> dict[str, uuid.UUID]:
        forbid_unless_covered(
            principal,
            province=body.province_code,
            district=body.district_code,
            subdistrict=body.subdistrict_code,
        )
        household_id = new_id()
        await _execute(session, insert(households).values(id=household_id, **body.model_dump()))
        audit_resource(request, "households", household_id)
        return {"id": household_id}

    app.include_router(audit_log_router(get_session))
    return app


@dataclass
class Platform:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    issuer: DevIssuer
    settings: AuthSettings
    dialect: str

    def app(self, clock: Callable[[], float] = time.time, **overrides: Any) -> FastAPI:
        settings = self.settings.model_copy(update=overrides)
        return make_app(self.sessions, settings, clock=clock)

    def token(self, client_id: str, scopes: list[str], areas: list[str], **options: Any) -> str:
        return self.issuer.mint_token(client_id, scopes, areas, **options)

    async def audit_rows(self) -> list[AuditRecord]:
        async with self.sessions() as session:
            query = select_models(AuditRecord).order_by(AuditRecord.id)
            return list((await session.exec(query)).all())


def client_for(app: FastAPI, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://survey.test",
        headers=headers,
    )


# Households across the map: Bangkok (10), Khon Kaen (40), Chiang Mai (50).
BANGKOK_PHRA_NAKHON = "10", "1001", "100101"
BANGKOK_PATHUM_WAN = "10", "1007", "100701"
KHON_KAEN_MUEANG = "40", "4001", "400101"
KHON_KAEN_PROVINCE_ONLY = "40", None, None  # known only to the province
CHIANG_MAI_SUBDISTRICT_ONLY = "50", None, "500101"  # district left out, sub-district known

SEEDED = {
    "bangkok-phra-nakhon": BANGKOK_PHRA_NAKHON,
    "bangkok-pathum-wan": BANGKOK_PATHUM_WAN,
    "khon-kaen-mueang": KHON_KAEN_MUEANG,
    "khon-kaen-province-only": KHON_KAEN_PROVINCE_ONLY,
    "chiang-mai-subdistrict-only": CHIANG_MAI_SUBDISTRICT_ONLY,
}


async def _seed(sessions: async_sessionmaker[AsyncSession]) -> dict[str, uuid.UUID]:
    ids: dict[str, uuid.UUID] = {}
    async with sessions() as session:
        for number, (name, (province, district, subdistrict)) in enumerate(SEEDED.items()):
            ids[name] = new_id()
            await _execute(
                session,
                insert(households).values(
                    id=ids[name],
                    province_code=province,
                    district_code=district,
                    subdistrict_code=subdistrict,
                    national_id=f"310050000{number:03d}1",
                    phone=f"081-234-{number:04d}",
                ),
            )
        await session.commit()
    return ids


async def _platform(url: str, dialect: str) -> Platform:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(test_metadata.create_all)
        await connection.run_sync(AuditRecord.__table__.create)
        await connection.run_sync(RateLimitCounter.__table__.create)
        if dialect == "postgresql":
            for statement in APPEND_ONLY_UPGRADE:
                await connection.execute(text(statement))
    issuer = DevIssuer(issuer=ISSUER, audience=AUDIENCE)
    settings = AuthSettings(
        issuer=ISSUER, audience=AUDIENCE, jwks_json=json.dumps(issuer.jwks()), leeway_seconds=0
    )
    return Platform(engine, create_session_factory(engine), issuer, settings, dialect)


@pytest.fixture
async def sqlite_platform(tmp_path: Any) -> AsyncIterator[Platform]:
    platform = await _platform(f"sqlite+aiosqlite:///{tmp_path}/partner.db", "sqlite")
    yield platform
    await platform.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def any_platform(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Platform]:
    if request.param == "postgresql":
        make_database: MakeDatabase = request.getfixturevalue("make_postgres_database")
        platform = await _platform(make_database("partner_access"), "postgresql")
    else:
        platform = await _platform(f"sqlite+aiosqlite:///{tmp_path}/partner.db", "sqlite")
    yield platform
    await platform.engine.dispose()


def shared_response(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """An operation's response as OpenAPI documents it: written in place, or the one of
    ``components/responses`` its ``$ref`` names (the answers every protected operation
    shares are written once there)."""
    ref = response.get("$ref")
    if ref is None:
        return response
    shared: dict[str, Any] = document["components"]["responses"][ref.rsplit("/", 1)[1]]
    return shared


def _assert_unauthenticated(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["errors"][0]["field"] == "header.Authorization"
    assert reason in problem["detail"], problem["detail"]


class TestTokens:
    async def test_a_valid_token_gets_the_clients_households(
        self, sqlite_platform: Platform
    ) -> None:
        await _seed(sqlite_platform.sessions)
        token = sqlite_platform.token("bangkok-office", ["survey:read"], ["10"])
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        assert response.status_code == 200
        assert {h["province_code"] for h in response.json()} == {"10"}

    async def test_no_token_is_401_without_an_error_code(self, sqlite_platform: Platform) -> None:
        async with client_for(sqlite_platform.app()) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "needs a bearer token")
        assert "invalid_token" not in response.headers["www-authenticate"]

    async def test_an_expired_token_is_401(self, sqlite_platform: Platform) -> None:
        two_hours_ago = time.time() - 7200
        token = sqlite_platform.token(
            "bangkok-office", ["survey:read"], ["10"], now=two_hours_ago, lifetime_seconds=3600
        )
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "expired")
        assert 'error="invalid_token"' in response.headers["www-authenticate"]

    async def test_a_token_signed_with_another_key_under_the_trusted_kid_is_401(
        self, sqlite_platform: Platform
    ) -> None:
        forger = DevIssuer(issuer=ISSUER, audience=AUDIENCE)
        forged = jwt.encode(
            jwt.decode(
                forger.mint_token("bangkok-office", ["survey:read", "pii:read"], ["*"]),
                options={"verify_signature": False},
            ),
            forger.key,
            algorithm="RS256",
            headers={"kid": sqlite_platform.issuer.kid},
        )
        async with client_for(sqlite_platform.app(), forged) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "signature does not verify")

    async def test_a_token_from_an_unknown_key_is_401(self, sqlite_platform: Platform) -> None:
        stranger = DevIssuer(issuer=ISSUER, audience=AUDIENCE)
        token = stranger.mint_token("bangkok-office", ["survey:read"], ["10"])
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "no signing key")

    async def test_a_token_for_another_audience_is_401(self, sqlite_platform: Platform) -> None:
        token = sqlite_platform.token("bangkok-office", ["survey:read"], ["10"], audience="other")
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "audience")

    async def test_a_token_from_another_issuer_is_401(self, sqlite_platform: Platform) -> None:
        token = sqlite_platform.token(
            "bangkok-office", ["survey:read"], ["10"], issuer="https://evil.test"
        )
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "not issued by")

    async def test_an_unsigned_token_is_401(self, sqlite_platform: Platform) -> None:
        claims = jwt.decode(
            sqlite_platform.token("bangkok-office", ["survey:read"], ["*"]),
            options={"verify_signature": False},
        )
        unsigned = jwt.encode(claims, "", algorithm="none")
        async with client_for(sqlite_platform.app(), unsigned) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "'none' are not accepted")

    async def test_hs256_signed_with_the_public_key_is_401(self, sqlite_platform: Platform) -> None:
        # The classic confusion attack: HMAC keyed with the issuer's public key.
        public_pem = sqlite_platform.issuer.key.public_key().public_bytes(*_pem_public_format())
        claims = jwt.decode(
            sqlite_platform.token("bangkok-office", ["survey:read"], ["*"]),
            options={"verify_signature": False},
        )
        token = _hs256(claims, public_pem, kid=sqlite_platform.issuer.kid)
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "'HS256' are not accepted")

    @pytest.mark.parametrize("kid", ['กรุงเทพ"\\', "k" * 5000, 42])
    async def test_a_strange_kid_is_401_not_500(
        self, sqlite_platform: Platform, kid: object
    ) -> None:
        claims = jwt.decode(
            sqlite_platform.token("bangkok-office", ["survey:read"], ["*"]),
            options={"verify_signature": False},
        )
        # By hand: PyJWT will not even sign a token with a non-string kid.
        token = f"{_b64_json({'alg': 'RS256', 'kid': kid})}.{_b64_json(claims)}.c2lnbmF0dXJl"
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        assert response.status_code == 401
        assert len(response.headers["www-authenticate"]) < 400

    async def test_garbage_is_401(self, sqlite_platform: Platform) -> None:
        async with client_for(sqlite_platform.app(), "not-a-jwt") as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "not a well-formed JWT")

    async def test_an_es256_token_from_an_ec_key_is_accepted(
        self, sqlite_platform: Platform
    ) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        ec_key = ec.generate_private_key(ec.SECP256R1())
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key()))
        jwk.update({"kid": "ec-1", "alg": "ES256", "use": "sig"})
        claims = jwt.decode(
            sqlite_platform.token("bangkok-office", ["survey:read"], ["10"]),
            options={"verify_signature": False},
        )
        token = jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "ec-1"})
        app = sqlite_platform.app(jwks_json=json.dumps({"keys": [jwk]}))
        async with client_for(app, token) as client:
            assert (await client.get("/v1/households")).status_code == 200
        # The same EC key cannot be claimed for RS256.
        forged_header = _hs256(claims, b"", kid="ec-1").replace(
            _b64_json({"alg": "HS256", "typ": "JWT", "kid": "ec-1"}),
            _b64_json({"alg": "RS256", "typ": "JWT", "kid": "ec-1"}),
        )
        async with client_for(app, forged_header) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "its key is for 'ES256'")

    async def test_a_missing_scope_is_403_naming_it(self, sqlite_platform: Platform) -> None:
        token = sqlite_platform.token("bangkok-office", ["survey:read"], ["10"])
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.post(
                "/v1/households", json={"province_code": "10", "national_id": "3100500000011"}
            )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["missing_scopes"] == ["survey:write"]
        assert "survey:write" in response.json()["detail"]

    async def test_scopes_may_come_as_a_scp_list(self, sqlite_platform: Platform) -> None:
        token = sqlite_platform.token(
            "bangkok-office", [], ["10"], extra_claims={"scp": ["survey:read"]}
        )
        async with client_for(sqlite_platform.app(scopes_claim="scp"), token) as client:
            response = await client.get("/v1/households")
        assert response.status_code == 200

    async def test_a_malformed_areas_claim_is_401(self, sqlite_platform: Platform) -> None:
        token = sqlite_platform.token("bangkok-office", ["survey:read"], ["Bangkok"])
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        _assert_unauthenticated(response, "baan_areas")

    def test_openapi_shows_the_client_credentials_flow_and_each_operations_scopes(
        self, sqlite_platform: Platform
    ) -> None:
        app = sqlite_platform.app(token_url="https://issuer.baan.test/token")
        document = app.openapi()
        scheme = document["components"]["securitySchemes"]["partner"]
        flow = scheme["flows"]["clientCredentials"]
        assert flow["tokenUrl"] == "https://issuer.baan.test/token"
        assert "pii:read" in flow["scopes"]
        assert document["paths"]["/v1/households"]["post"]["security"] == [
            {"partner": ["survey:write"]}
        ]
        assert document["paths"]["/v1/audit-log"]["get"]["security"] == [
            {"partner": ["audit:read"]}
        ]
        responses = document["paths"]["/v1/households"]["post"]["responses"]
        assert {"201", "401", "403", "422", "429"} <= set(responses)
        assert "application/problem+json" in shared_response(document, responses["401"])["content"]

    def test_switching_authentication_off_is_refused_in_production(self) -> None:
        with pytest.raises(RuntimeError, match="refused in production"):
            install_partner_access(FastAPI(), AuthSettings(enabled=False), environment="production")
        with pytest.raises(RuntimeError, match="development issuer"):
            install_partner_access(FastAPI(), AuthSettings(), environment="production")
        for local in ("http://127.0.0.1:12090", "http://localhost:8090/", "http://[::1]:9"):
            with pytest.raises(RuntimeError, match="development issuer"):
                install_partner_access(
                    FastAPI(), AuthSettings(issuer=local), environment="production"
                )
        install_partner_access(
            FastAPI(),
            AuthSettings(issuer="https://sso.example.org/realms/baan"),
            environment="production",
        )

    def test_an_operation_without_a_scope_is_reported(self, sqlite_platform: Platform) -> None:
        app = sqlite_platform.app()
        assert operations_without_scopes(app) == []

        @app.get("/v1/forgotten")
        async def forgotten() -> None: ...

        app.openapi_schema = None
        assert operations_without_scopes(app) == ["GET /v1/forgotten"]

    def test_symmetric_algorithms_cannot_be_configured(self) -> None:
        with pytest.raises(ValueError, match="not allowed"):
            AuthSettings(algorithms=("RS256", "HS256"))


class TestAreas:
    @pytest.mark.parametrize(
        ("areas", "expected"),
        [
            (["10"], {"bangkok-phra-nakhon", "bangkok-pathum-wan"}),
            (["1007"], {"bangkok-pathum-wan"}),
            (["100101"], {"bangkok-phra-nakhon"}),
            # A district client does not see a row known only to the province.
            (["4001"], {"khon-kaen-mueang"}),
            (["40"], {"khon-kaen-mueang", "khon-kaen-province-only"}),
            # A row without its district is still in the district of its sub-district.
            (["5001"], {"chiang-mai-subdistrict-only"}),
            (
                ["1001", "40"],
                {"bangkok-phra-nakhon", "khon-kaen-mueang", "khon-kaen-province-only"},
            ),
            (["*"], set(SEEDED)),
            ([], set()),
        ],
    )
    async def test_a_list_holds_only_the_clients_areas(
        self, any_platform: Platform, areas: list[str], expected: set[str]
    ) -> None:
        ids = await _seed(any_platform.sessions)
        names = {household_id: name for name, household_id in ids.items()}
        token = any_platform.token("partner", ["survey:read"], areas)
        async with client_for(any_platform.app(), token) as client:
            response = await client.get("/v1/households")
        assert response.status_code == 200
        assert {names[uuid.UUID(h["id"])] for h in response.json()} == expected

    async def test_no_collection_leaks_and_a_leaky_one_is_caught(
        self, any_platform: Platform
    ) -> None:
        await _seed(any_platform.sessions)
        app = any_platform.app()
        bangkok = Principal.of("bangkok-office", scopes=["survey:read"], areas=["10"])
        token = any_platform.token("bangkok-office", ["survey:read"], ["10"])
        async with client_for(app, token) as client:
            assert await area_leaks(client, app, bangkok) == {}

            @app.get("/v1/leaky")
            async def leaky(
                session: Annotated[AsyncSession, Depends(_no_commit_session(any_platform))],
                _: Annotated[Principal, Security(require_scopes("survey:read"))],
            ) -> list[dict[str, Any]]:
                rows = (await _execute(session, select(households))).all()
                return [{"household": {"province_code": r.province_code}} for r in rows]

            app.openapi_schema = None
            leaks = await area_leaks(client, app, bangkok)
        assert list(leaks) == ["/v1/leaky"]
        assert len(leaks["/v1/leaky"]) == 3  # Khon Kaen twice, Chiang Mai once

    def test_rows_of_other_areas_are_found_in_csv_and_nested_json(self) -> None:
        district = Principal.of("amphoe-office", areas=["1005"])
        exported = (
            "\ufeffid,household_province_code,household_district_code\n1,10,1005\n2,10,1006\n"
        )
        assert foreign_csv_rows(exported, district) == [
            "line 3 {'province_code': '10', 'district_code': '1006'}"
        ]
        report = {
            "rows": [{"province_code": "10", "district_code": "1005"}, {"province_code": "10"}]
        }
        assert foreign_rows(report, district) == ["$.rows[1] {'province_code': '10'}"]

    async def test_another_areas_household_is_404_like_one_that_does_not_exist(
        self, any_platform: Platform
    ) -> None:
        ids = await _seed(any_platform.sessions)
        token = any_platform.token("bangkok-office", ["survey:read"], ["10"])
        async with client_for(any_platform.app(), token) as client:
            own = await client.get(f"/v1/households/{ids['bangkok-pathum-wan']}")
            other = await client.get(f"/v1/households/{ids['khon-kaen-mueang']}")
            missing = await client.get(f"/v1/households/{new_id()}")
        assert own.status_code == 200
        assert other.status_code == missing.status_code == 404
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["title"] == missing.json()["title"]
        assert "40" not in other.json()["detail"].replace(str(ids["khon-kaen-mueang"]), "")
        other_masked = json.dumps(other.json()).replace(str(ids["khon-kaen-mueang"]), "ID")
        missing_id = missing.json()["instance"].rsplit("/", 1)[-1]
        assert other_masked == json.dumps(missing.json()).replace(missing_id, "ID")

    async def test_a_national_admin_sees_every_area(self, sqlite_platform: Platform) -> None:
        ids = await _seed(sqlite_platform.sessions)
        token = sqlite_platform.token("national", ["survey:read", "admin"], [])
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get(f"/v1/households/{ids['khon-kaen-mueang']}")
        assert response.status_code == 200

    async def test_registering_a_household_outside_the_clients_areas_is_403(
        self, sqlite_platform: Platform
    ) -> None:
        token = sqlite_platform.token("bangkok-office", ["survey:write"], ["10"])
        async with client_for(sqlite_platform.app(), token) as client:
            inside = await client.post(
                "/v1/households",
                json={
                    "province_code": "10",
                    "district_code": "1001",
                    "national_id": "3100500000011",
                },
            )
            outside = await client.post(
                "/v1/households",
                json={
                    "province_code": "40",
                    "district_code": "4001",
                    "national_id": "3100500000011",
                },
            )
        assert inside.status_code == 201
        assert outside.status_code == 403
        assert outside.json()["errors"][0]["field"] == "body.province_code"

    def test_covers_follows_the_code_hierarchy(self) -> None:
        district_client = Principal.of("amphoe-office", areas=["1005"])
        assert district_client.covers("10", "1005", "100502")
        assert district_client.covers("10", None, "100502")
        assert not district_client.covers("10", "1006", "100601")
        assert not district_client.covers("10")
        assert Principal.of("national", areas=["*"]).covers("96", "9601", "960101")
        assert not Principal.of("nobody").covers("10", "1005", "100502")

    def test_an_area_code_must_be_2_4_or_6_digits(self) -> None:
        with pytest.raises(ValueError, match="not area codes"):
            Principal.of("partner", areas=["105"])


class TestPersonalData:
    def test_a_national_id_keeps_category_office_and_check_digit(self) -> None:
        assert mask_national_id("3100500000011") == "3-1005-xxxxx-xx-1"
        assert mask_national_id("3-1005-00000-01-1") == "3-1005-xxxxx-xx-1"
        assert mask_national_id("12345") == "xxxxx"  # not an ID: nothing shown

    def test_a_phone_keeps_its_last_four_digits(self) -> None:
        assert mask_phone("081-234-5678") == "xxx-xxx-5678"
        assert mask_phone("+66812345678") == "+xxxxxxx5678"
        assert mask_phone("123") == "123"

    async def test_without_pii_read_ids_and_phones_are_masked_and_no_read_is_audited(
        self, sqlite_platform: Platform
    ) -> None:
        await _seed(sqlite_platform.sessions)
        token = sqlite_platform.token("bangkok-office", ["survey:read"], ["10"])
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/households")
        assert response.status_code == 200
        for household in response.json():
            assert household["national_id"].startswith("3-1005-xxxxx-xx-")
            assert household["phone"].startswith("xxx-xxx-")
        assert await sqlite_platform.audit_rows() == []

    async def test_with_pii_read_data_is_shown_and_each_read_is_audited(
        self, any_platform: Platform
    ) -> None:
        ids = await _seed(any_platform.sessions)
        token = any_platform.token("social-worker", ["survey:read", "pii:read"], ["10"])
        async with client_for(any_platform.app(), token) as client:
            response = await client.get("/v1/households", headers={"X-Request-ID": "req-42"})
        assert response.status_code == 200
        assert {h["national_id"] for h in response.json()} == {"3100500000001", "3100500000011"}
        rows = await any_platform.audit_rows()
        assert {(r.client_id, r.resource_id, r.pii_read, r.request_id) for r in rows} == {
            ("social-worker", str(ids["bangkok-phra-nakhon"]), True, "req-42"),
            ("social-worker", str(ids["bangkok-pathum-wan"]), True, "req-42"),
        }
        assert all(r.method == "GET" and r.action == "household.read" for r in rows)


class TestAudit:
    async def test_a_write_is_audited_with_who_what_and_outcome(
        self, any_platform: Platform
    ) -> None:
        token = any_platform.token("bangkok-office", ["survey:write"], ["10"])
        async with client_for(any_platform.app(), token) as client:
            created = await client.post(
                "/v1/households",
                json={"province_code": "10", "national_id": "3100500000011"},
                headers={"traceparent": f"00-{'a1' * 16}-{'b2' * 8}-01"},
            )
            refused = await client.post(
                "/v1/households", json={"province_code": "40", "national_id": "3100500000011"}
            )
        rows = await any_platform.audit_rows()
        assert [(r.action, r.status, r.resource_type) for r in rows] == [
            ("register_household", 201, "households"),
            ("register_household", 403, "households"),
        ]
        assert rows[0].resource_id == created.json()["id"]
        assert rows[0].trace_id == "a1" * 16
        assert refused.status_code == 403
        assert all(r.client_id == "bangkok-office" and r.method == "POST" for r in rows)

    async def test_writes_at_the_same_time_each_leave_their_own_audit_row(
        self, any_platform: Platform
    ) -> None:
        token = any_platform.token("bangkok-office", ["survey:write"], ["10"])
        async with client_for(any_platform.app(), token) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        "/v1/households",
                        json={"province_code": "10" if n % 4 else "40", "national_id": "1"},
                    )
                    for n in range(24)
                )
            )
        rows = await any_platform.audit_rows()
        created = sorted(a.json()["id"] for a in answers if a.status_code == 201)
        assert len(created) == 18
        assert sorted(r.resource_id for r in rows if r.status == 201) == created
        assert sorted(r.status for r in rows) == [201] * 18 + [403] * 6

    async def test_a_request_without_a_valid_token_leaves_no_audit_row(
        self, sqlite_platform: Platform
    ) -> None:
        async with client_for(sqlite_platform.app(), "forged") as client:
            response = await client.post("/v1/households", json={})
        assert response.status_code == 401
        assert await sqlite_platform.audit_rows() == []

    async def test_auditors_page_through_the_log_filtered_by_client(
        self, any_platform: Platform
    ) -> None:
        app = any_platform.app()
        for client_id in ("bangkok-office", "khon-kaen-office", "bangkok-office", "bangkok-office"):
            token = any_platform.token(client_id, ["survey:write"], ["*"])
            async with client_for(app, token) as client:
                await client.post(
                    "/v1/households", json={"province_code": "10", "national_id": "3100500000011"}
                )
        auditor = any_platform.token("auditor", ["audit:read"], ["*"])
        seen: list[dict[str, Any]] = []
        cursor: str | None = None
        async with client_for(app, auditor) as client:
            while True:
                params: dict[str, Any] = {"client_id": "bangkok-office", "limit": 2}
                if cursor:
                    params["cursor"] = cursor
                page = (await client.get("/v1/audit-log", params=params)).json()
                seen.extend(page["items"])
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            one = await client.get("/v1/audit-log", params={"resource_id": seen[0]["resource_id"]})
            future = await client.get("/v1/audit-log", params={"from": "2999-01-01T00:00:00Z"})
            backwards = await client.get(
                "/v1/audit-log",
                params={"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
            )
        assert len(seen) == 3
        assert {row["client_id"] for row in seen} == {"bangkok-office"}
        assert [row["id"] for row in one.json()["items"]] == [seen[0]["id"]]
        assert future.json()["items"] == []
        assert backwards.status_code == 422
        assert backwards.json()["errors"][0]["field"] == "query.to"

    async def test_an_auditor_bound_to_areas_is_refused_the_national_log(
        self, sqlite_platform: Platform
    ) -> None:
        app = sqlite_platform.app()
        national = sqlite_platform.token("national-office", ["survey:write"], ["*"])
        async with client_for(app, national) as client:
            written = await client.post(
                "/v1/households", json={"province_code": "40", "national_id": "3100500000011"}
            )
        assert written.status_code == 201
        bangkok_auditor = sqlite_platform.token("bangkok-auditor", ["audit:read"], ["10"])
        async with client_for(app, bangkok_auditor) as client:
            response = await client.get("/v1/audit-log")
        assert response.status_code == 403
        problem = response.json()
        assert problem["errors"][0]["code"] == "national-only"
        assert str(written.json()["id"]) not in response.text

    async def test_the_audit_log_needs_audit_read(self, sqlite_platform: Platform) -> None:
        token = sqlite_platform.token("bangkok-office", ["survey:read", "pii:read"], ["*"])
        async with client_for(sqlite_platform.app(), token) as client:
            response = await client.get("/v1/audit-log")
        assert response.status_code == 403

    @pytest.mark.postgres
    async def test_postgresql_refuses_to_change_or_delete_audit_rows(
        self, make_postgres_database: MakeDatabase
    ) -> None:
        platform = await _platform(make_postgres_database("audit"), "postgresql")
        try:
            token = platform.token("bangkok-office", ["survey:write"], ["10"])
            async with client_for(platform.app(), token) as client:
                await client.post(
                    "/v1/households", json={"province_code": "10", "national_id": "3100500000011"}
                )
            for statement in (
                "UPDATE audit_log SET client_id = 'someone-else'",
                "DELETE FROM audit_log",
                "TRUNCATE audit_log",
            ):
                async with platform.engine.begin() as connection:
                    with pytest.raises(DBAPIError, match="append-only"):
                        await connection.execute(text(statement))
            assert [r.client_id for r in await platform.audit_rows()] == ["bangkok-office"]
        finally:
            await platform.engine.dispose()


class FixedClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TestRateLimit:
    async def test_two_replicas_share_one_allowance_per_client(
        self, any_platform: Platform
    ) -> None:
        # 30 s into a 60 s window: the 429 says to come back in 30 s.
        clock = FixedClock(1_800_000_030.0)
        limits = {"rate_limit_requests": 5, "rate_limit_window_seconds": 60}
        replicas = [any_platform.app(clock, **limits), any_platform.app(clock, **limits)]
        token = any_platform.token("bulk-importer", ["survey:read"], ["10"])
        statuses = []
        for attempt in range(6):
            async with client_for(replicas[attempt % 2], token) as client:
                response = await client.get("/v1/households")
            statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 200, 200, 429]
        assert response.headers["retry-after"] == "30"
        assert response.headers["ratelimit-policy"] == '"per-client";q=5;w=60'
        assert response.headers["ratelimit"] == '"per-client";r=0;t=30'
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["limit"] == 5

        other_client = any_platform.token("bangkok-office", ["survey:read"], ["10"])
        async with client_for(replicas[0], other_client) as client:
            assert (await client.get("/v1/households")).status_code == 200

        clock.now += 30  # the next window
        async with client_for(replicas[1], token) as client:
            assert (await client.get("/v1/households")).status_code == 200

    async def test_a_burst_across_replicas_gets_exactly_the_allowance(
        self, any_platform: Platform
    ) -> None:
        clock = FixedClock(1_800_000_000.0)
        limits = {"rate_limit_requests": 10, "rate_limit_window_seconds": 60}
        replicas = [any_platform.app(clock, **limits), any_platform.app(clock, **limits)]
        token = any_platform.token("bulk-importer", ["survey:read"], ["10"])
        clients = [client_for(replica, token) for replica in replicas]
        try:
            responses = await asyncio.gather(
                *(clients[n % 2].get("/v1/households") for n in range(20))
            )
        finally:
            for client in clients:
                await client.aclose()
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 10 + [429] * 10

    async def test_a_client_can_be_given_a_larger_allowance(
        self, sqlite_platform: Platform
    ) -> None:
        clock = FixedClock(1_800_000_000.0)
        app = sqlite_platform.app(
            clock,
            rate_limit_requests=1,
            rate_limit_window_seconds=60,
            rate_limit_overrides={"bulk-importer": 3},
        )
        token = sqlite_platform.token("bulk-importer", ["survey:read"], ["10"])
        async with client_for(app, token) as client:
            statuses = [(await client.get("/v1/households")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]

    async def test_spent_windows_are_cleared(self, sqlite_platform: Platform) -> None:
        clock = FixedClock(1_800_000_000.0)
        app = sqlite_platform.app(clock, rate_limit_requests=10, rate_limit_window_seconds=60)
        token = sqlite_platform.token("bulk-importer", ["survey:read"], ["10"])
        async with client_for(app, token) as client:
            for _ in range(3):
                await client.get("/v1/households")
                clock.now += 60
        async with sqlite_platform.sessions() as session:
            windows = (await session.exec(select_models(RateLimitCounter))).all()
        assert len(windows) == 1

    async def test_a_large_allowance_is_counted_in_leases_not_a_write_per_request(
        self, any_platform: Platform
    ) -> None:
        # 600 a minute: each replica takes 30 requests of the allowance at a time.
        clock = FixedClock(1_800_000_000.0)
        limits = {"rate_limit_requests": 600, "rate_limit_window_seconds": 60}
        replicas = [any_platform.app(clock, **limits), any_platform.app(clock, **limits)]
        token = any_platform.token("bulk-importer", ["survey:read"], ["10"])
        for replica in replicas:
            async with client_for(replica, token) as client:
                for _ in range(45):
                    assert (await client.get("/v1/households")).status_code == 200
        async with any_platform.sessions() as session:
            window = (await session.exec(select_models(RateLimitCounter))).one()
        # 45 requests on each replica took two leases of 30 there: 4 writes for 90 requests.
        assert window.requests == 120

    async def test_leases_never_let_more_than_the_allowance_through(
        self, any_platform: Platform
    ) -> None:
        clock = FixedClock(1_800_000_000.0)
        # 50 a window: leases of 2, three replicas, requests round-robin.
        limits = {"rate_limit_requests": 50, "rate_limit_window_seconds": 60}
        replicas = [any_platform.app(clock, **limits) for _ in range(3)]
        token = any_platform.token("bulk-importer", ["survey:read"], ["10"])
        clients = [client_for(replica, token) for replica in replicas]
        try:
            statuses = [(await clients[n % 3].get("/v1/households")).status_code for n in range(80)]
        finally:
            for client in clients:
                await client.aclose()
        assert statuses.count(200) == 50
        assert statuses[-20:] == [429] * 20

    async def test_a_refused_client_is_refused_without_asking_the_database_again(
        self, sqlite_platform: Platform
    ) -> None:
        clock = FixedClock(1_800_000_000.0)
        app = sqlite_platform.app(clock, rate_limit_requests=2, rate_limit_window_seconds=60)
        token = sqlite_platform.token("bulk-importer", ["survey:read"], ["10"])
        async with client_for(app, token) as client:
            statuses = [(await client.get("/v1/households")).status_code for _ in range(5)]
        async with sqlite_platform.sessions() as session:
            window = (await session.exec(select_models(RateLimitCounter))).one()
        assert statuses == [200, 200, 429, 429, 429]
        # The second request's lease took the last of the allowance: the replica
        # knew, and refused the next three without a write.
        assert window.requests == 2

    def test_openapi_documents_the_429_headers(self, sqlite_platform: Platform) -> None:
        document = sqlite_platform.app().openapi()
        operation = document["paths"]["/v1/households"]["get"]
        headers = shared_response(document, operation["responses"]["429"])["headers"]
        assert set(headers) == {"Retry-After", "RateLimit-Policy", "RateLimit"}


class TestTokenCache:
    async def test_a_token_is_verified_once_until_it_expires(
        self, sqlite_platform: Platform, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        verified: list[str] = []
        real_decode = jwt.decode

        def counting_decode(token: str, *args: Any, **kwargs: Any) -> Any:
            verified.append(token)
            return real_decode(token, *args, **kwargs)

        monkeypatch.setattr(jwt, "decode", counting_decode)
        await _seed(sqlite_platform.sessions)
        app = sqlite_platform.app()
        token = sqlite_platform.token("bangkok-office", ["survey:read"], ["10"])
        other = sqlite_platform.token("khon-kaen-office", ["survey:read"], ["40"])
        async with client_for(app, token) as client:
            for _ in range(3):
                assert (await client.get("/v1/households")).status_code == 200
            mine = (await client.get("/v1/households")).json()
            theirs = (
                await client.get("/v1/households", headers={"Authorization": f"Bearer {other}"})
            ).json()
        assert verified == [token, other]
        # Each token keeps its own client's areas.
        assert {h["province_code"] for h in mine} == {"10"}
        assert {h["province_code"] for h in theirs} == {"40"}

    async def test_a_remembered_token_is_refused_once_it_expires(
        self, sqlite_platform: Platform
    ) -> None:
        app = sqlite_platform.app()
        token = sqlite_platform.token("bangkok-office", ["survey:read"], ["10"], lifetime_seconds=1)
        async with client_for(app, token) as client:
            assert (await client.get("/v1/households")).status_code == 200
            await asyncio.sleep(2.1)
            expired = await client.get("/v1/households")
        _assert_unauthenticated(expired, "expired")


def _no_commit_session(platform: Platform) -> Callable[[], AsyncIterator[AsyncSession]]:
    async def session() -> AsyncIterator[AsyncSession]:
        async with platform.sessions() as opened:
            yield opened

    return session


async def _execute(session: AsyncSession, statement: Any) -> Any:
    """Core statements on the test's own table run on the session's connection."""
    return await (await session.connection()).execute(statement)


def _pem_public_format() -> tuple[Any, Any]:
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64_json(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def _hs256(claims: dict[str, Any], secret: bytes, *, kid: str) -> str:
    """Sign by hand: PyJWT itself refuses to HMAC with a PEM key."""
    header = _b64_json({"alg": "HS256", "typ": "JWT", "kid": kid})
    payload = _b64_json(claims)
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
