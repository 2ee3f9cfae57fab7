"""The Keycloak realm export and the Java lookup, without starting Keycloak.

tests/identity starts the real server with this realm; these checks say, in
milliseconds, that the realm still matches the scope catalogue and ADR 0003.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from baan_local.keycloak import KeycloakError, baan_realm_file, find_java_home, java_version
from baan_shared.auth.scopes import SCOPES


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(baan_realm_file().read_text())
    return loaded


def test_every_scope_of_the_catalogue_is_a_client_scope_in_the_token(
    realm: dict[str, Any],
) -> None:
    scopes = {s["name"]: s for s in realm["clientScopes"]}
    assert set(SCOPES) <= set(scopes)
    for name in SCOPES:
        assert scopes[name]["attributes"]["include.in.token.scope"] == "true", name


def test_every_client_gets_the_platform_audience(realm: dict[str, Any]) -> None:
    (audience,) = [
        m
        for s in realm["clientScopes"]
        for m in s.get("protocolMappers", [])
        if m["protocolMapper"] == "oidc-audience-mapper"
    ]
    assert audience["config"]["included.custom.audience"] == "baan"
    for client in realm["clients"]:
        assert "baan-api" in client["defaultClientScopes"], client["clientId"]


def test_clients_are_confidential_service_accounts_without_secrets(
    realm: dict[str, Any],
) -> None:
    for client in realm["clients"]:
        assert client["serviceAccountsEnabled"] is True
        assert client["publicClient"] is False
        assert client["standardFlowEnabled"] is False
        assert client["directAccessGrantsEnabled"] is False
        assert "secret" not in client  # the tooling draws one at each start
        unknown = set(client["defaultClientScopes"]) - set(SCOPES) - {"baan-api"}
        assert not unknown, client["clientId"]


def test_areas_are_a_hardcoded_claim(realm: dict[str, Any]) -> None:
    areas = {
        client["clientId"]: mapper["config"]["claim.value"]
        for client in realm["clients"]
        for mapper in client["protocolMappers"]
        if mapper["config"].get("claim.name") == "baan_areas"
    }
    assert areas == {"baan-national": "*", "baan-province-10": "10"}


def _fake_java(home: Path, version: str) -> Path:
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\n")
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


def test_java_home_must_be_new_enough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert java_version(_fake_java(tmp_path / "old", "17.0.15")) == 17
    assert java_version(_fake_java(tmp_path / "new", "25.0.1")) == 25
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "new"))
    assert find_java_home() == (tmp_path / "new").resolve()
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "old"))
    with pytest.raises(KeycloakError, match=r"Java 99\+"):
        find_java_home(minimum=99)
