"""The rules that decide whether a contract change breaks a partner or a consumer.

AsyncAPI documents are compared by baan_tools.contracts' own rules; OpenAPI
documents by oasdiff, whose classification is pinned here on small documents
so that an upgrade that changes it is noticed.
"""

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from baan_tools.contracts import (
    ASYNCAPI_FILE,
    Change,
    asyncapi_changes,
    contract_changes,
    contracts_at,
    openapi_changes,
    render_json,
    render_yaml,
    verdict,
)

# --- AsyncAPI -------------------------------------------------------------------------------


def _event_document() -> dict[str, Any]:
    """A two-event AsyncAPI document shaped like contracts/asyncapi.yaml."""
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "t", "version": "1.0.0"},
        "channels": {
            "survey.households": {
                "address": "survey.households",
                "messages": {
                    "household.approved": {"$ref": "#/components/messages/household.approved"},
                    "household.rejected": {"$ref": "#/components/messages/household.rejected"},
                },
            }
        },
        "operations": {
            "survey.send.survey.households": {
                "action": "send",
                "channel": {"$ref": "#/channels/survey.households"},
                "messages": [
                    {"$ref": "#/channels/survey.households/messages/household.approved"},
                    {"$ref": "#/channels/survey.households/messages/household.rejected"},
                ],
            },
            "construction.receive.survey.households": {
                "action": "receive",
                "channel": {"$ref": "#/channels/survey.households"},
                "messages": [{"$ref": "#/channels/survey.households/messages/household.approved"}],
            },
        },
        "components": {
            "messages": {
                "household.approved": {
                    "payload": {"$ref": "#/components/schemas/HouseholdApproved"}
                },
                "household.rejected": {
                    "payload": {"$ref": "#/components/schemas/HouseholdRejected"}
                },
            },
            "schemas": {
                "HouseholdApproved": {
                    "type": "object",
                    "required": ["household_id", "programme", "estimated_cost_satang"],
                    "properties": {
                        "household_id": {"type": "string", "format": "uuid"},
                        "programme": {"type": "string", "enum": ["CANAL", "RURAL"]},
                        "estimated_cost_satang": {"type": "integer"},
                        "district_code": {
                            "anyOf": [{"type": "string"}, {"type": "null"}],
                            "default": None,
                        },
                    },
                },
                "HouseholdRejected": {
                    "type": "object",
                    "required": ["household_id", "reason"],
                    "properties": {
                        "household_id": {"type": "string", "format": "uuid"},
                        "reason": {"type": "string"},
                    },
                },
            },
        },
    }


def _approved(document: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"]["HouseholdApproved"]
    return schema


def _breaking(changes: list[Change]) -> list[str]:
    return [f"{change.where}: {change.what}" for change in changes if change.breaking]


class TestEventChanges:
    def test_the_same_document_has_no_changes(self) -> None:
        assert asyncapi_changes(_event_document(), _event_document()) == []

    def test_a_removed_event_type_is_breaking(self) -> None:
        new = _event_document()
        del new["components"]["messages"]["household.rejected"]
        del new["channels"]["survey.households"]["messages"]["household.rejected"]
        assert "household.rejected: event type removed" in _breaking(
            asyncapi_changes(_event_document(), new)
        )

    def test_a_removed_payload_field_is_breaking(self) -> None:
        new = _event_document()
        del _approved(new)["properties"]["estimated_cost_satang"]
        _approved(new)["required"].remove("estimated_cost_satang")
        assert _breaking(asyncapi_changes(_event_document(), new)) == [
            "household.approved payload.estimated_cost_satang: property removed"
        ]

    def test_a_field_whose_type_changed_is_breaking(self) -> None:
        new = _event_document()
        _approved(new)["properties"]["estimated_cost_satang"] = {"type": "number"}
        assert _breaking(asyncapi_changes(_event_document(), new)) == [
            "household.approved payload.estimated_cost_satang: "
            "type changed from ['integer'] to ['number']"
        ]

    def test_an_optional_field_made_required_is_breaking(self) -> None:
        new = _event_document()
        _approved(new)["required"].append("district_code")
        assert _breaking(asyncapi_changes(_event_document(), new)) == [
            "household.approved payload.district_code: newly required"
        ]

    def test_a_new_required_field_is_breaking_because_old_events_lack_it(self) -> None:
        new = _event_document()
        _approved(new)["properties"]["approved_by"] = {"type": "string"}
        _approved(new)["required"].append("approved_by")
        assert _breaking(asyncapi_changes(_event_document(), new)) == [
            "household.approved payload.approved_by: required property added"
        ]

    def test_a_removed_enum_value_is_breaking(self) -> None:
        new = _event_document()
        _approved(new)["properties"]["programme"]["enum"] = ["CANAL"]
        assert _breaking(asyncapi_changes(_event_document(), new)) == [
            "household.approved payload.programme: enum values removed: ['\"RURAL\"']"
        ]

    def test_a_publisher_that_stops_sending_an_event_is_breaking(self) -> None:
        new = _event_document()
        new["operations"]["survey.send.survey.households"]["messages"].pop()
        assert _breaking(asyncapi_changes(_event_document(), new)) == [
            "operation survey.send.survey.households: no longer ['household.rejected']"
        ]

    def test_a_removed_topic_is_breaking(self) -> None:
        new = _event_document()
        new["channels"]["survey.households.v2"] = new["channels"].pop("survey.households")
        assert "channel survey.households: topic removed" in _breaking(
            asyncapi_changes(_event_document(), new)
        )

    def test_additions_are_compatible(self) -> None:
        new = _event_document()
        _approved(new)["properties"]["community_id"] = {
            "anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}]
        }
        _approved(new)["properties"]["programme"]["enum"].append("LAND_REFORM")
        new["operations"]["finance.receive.survey.households"] = copy.deepcopy(
            new["operations"]["construction.receive.survey.households"]
        )
        changes = asyncapi_changes(_event_document(), new)
        assert changes and not _breaking(changes)
        assert {change.what for change in changes} == {
            "optional property added",
            "enum values added: ['\"LAND_REFORM\"']",
            "added",
        }

    def test_a_versioned_event_beside_the_old_one_is_compatible(self) -> None:
        new = _event_document()
        messages = new["components"]["messages"]
        messages["household.approved.v2"] = {
            "payload": {"$ref": "#/components/schemas/HouseholdApprovedV2"}
        }
        v2 = copy.deepcopy(_approved(new))
        v2["properties"]["estimated_cost_satang"] = {"type": "string"}
        new["components"]["schemas"]["HouseholdApprovedV2"] = v2
        new["channels"]["survey.households"]["messages"]["household.approved.v2"] = {
            "$ref": "#/components/messages/household.approved.v2"
        }
        changes = asyncapi_changes(_event_document(), new)
        assert [str(change) for change in changes] == [
            f"[compatible] {ASYNCAPI_FILE}: household.approved.v2: event type added"
        ]

    def test_a_consumer_that_stops_listening_breaks_no_one(self) -> None:
        new = _event_document()
        del new["operations"]["construction.receive.survey.households"]
        changes = asyncapi_changes(_event_document(), new)
        assert changes and not _breaking(changes)

    def test_a_description_change_is_a_compatible_change(self) -> None:
        new = _event_document()
        new["info"]["description"] = "now described"
        changes = asyncapi_changes(_event_document(), new)
        assert [change.breaking for change in changes] == [False]


# --- OpenAPI, classified by oasdiff -----------------------------------------------------------


def _api_document() -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": {"type": "object"}}}
    household = {
        "type": "object",
        "required": ["id", "status", "notes"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": ["surveyed", "approved"]},
            "notes": {"type": "string"},
        },
    }
    create = {
        "type": "object",
        "required": ["head_name"],
        "properties": {"head_name": {"type": "string"}, "village": {"type": "string"}},
    }
    ok = {"application/json": {"schema": {"$ref": "#/components/schemas/HouseholdPublic"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "survey", "version": "0.1.0"},
        "paths": {
            "/v1/households": {
                "post": {
                    "operationId": "create_household",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HouseholdCreate"}
                            }
                        },
                    },
                    "responses": {
                        "201": {"description": "created", "content": ok},
                        "422": {"description": "invalid", "content": problem},
                    },
                }
            },
            "/v1/households/{household_id}": {
                "get": {
                    "operationId": "get_household",
                    "parameters": [
                        {
                            "name": "household_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "format": "uuid"},
                        }
                    ],
                    "responses": {
                        "200": {"description": "found", "content": ok},
                        "404": {"description": "not found", "content": problem},
                    },
                }
            },
        },
        "components": {"schemas": {"HouseholdPublic": household, "HouseholdCreate": create}},
    }


def _openapi_breaking(new: dict[str, Any]) -> list[str]:
    changes = openapi_changes(
        json.dumps(_api_document()), json.dumps(new), contract="openapi/survey.json"
    )
    return [f"{change.where}: {change.what}" for change in changes if change.breaking]


@pytest.mark.timeout(600)  # the first call may build oasdiff from its Go module
class TestApiChanges:
    def test_a_removed_operation_is_breaking(self) -> None:
        new = _api_document()
        del new["paths"]["/v1/households/{household_id}"]
        breaking = _openapi_breaking(new)
        assert breaking and all("GET /v1/households/{household_id}" in b for b in breaking)

    def test_a_removed_response_property_is_breaking(self) -> None:
        new = _api_document()
        schema = new["components"]["schemas"]["HouseholdPublic"]
        del schema["properties"]["notes"]
        schema["required"].remove("notes")
        breaking = _openapi_breaking(new)
        assert breaking and all("notes" in b for b in breaking)

    def test_a_removed_optional_response_property_is_breaking_too(self) -> None:
        new = _api_document()
        schema = new["components"]["schemas"]["HouseholdPublic"]
        schema["required"].remove("notes")
        old_has_optional = _api_document()
        old_has_optional["components"]["schemas"]["HouseholdPublic"]["required"].remove("notes")
        del schema["properties"]["notes"]
        changes = openapi_changes(
            json.dumps(old_has_optional), json.dumps(new), contract="openapi/survey.json"
        )
        assert [c for c in changes if c.breaking and "notes" in c.what]

    def test_a_response_property_whose_type_changed_is_breaking(self) -> None:
        new = _api_document()
        new["components"]["schemas"]["HouseholdPublic"]["properties"]["notes"] = {"type": "integer"}
        breaking = _openapi_breaking(new)
        assert breaking and all("notes" in b and "type" in b for b in breaking)

    def test_a_request_property_newly_required_is_breaking(self) -> None:
        new = _api_document()
        new["components"]["schemas"]["HouseholdCreate"]["required"].append("village")
        assert _openapi_breaking(new) == [
            "POST /v1/households: the request property `village` became required "
            "(request-property-became-required)"
        ]

    def test_a_removed_request_enum_value_is_breaking(self) -> None:
        new = _api_document()
        create = new["components"]["schemas"]["HouseholdCreate"]
        create["properties"]["village"] = {"type": "string", "enum": ["1", "2"]}
        old = copy.deepcopy(new)
        create["properties"]["village"]["enum"] = ["1"]
        changes = openapi_changes(json.dumps(old), json.dumps(new), contract="openapi/x.json")
        assert [c for c in changes if c.breaking and "enum" in c.what]

    def test_a_response_property_made_optional_is_breaking(self) -> None:
        new = _api_document()
        new["components"]["schemas"]["HouseholdPublic"]["required"].remove("status")
        breaking = _openapi_breaking(new)
        assert breaking and all("status" in b and "optional" in b for b in breaking)

    def test_a_new_enum_value_in_a_response_is_compatible(self) -> None:
        new = _api_document()
        status = new["components"]["schemas"]["HouseholdPublic"]["properties"]["status"]
        status["enum"].append("waitlisted")
        changes = openapi_changes(
            json.dumps(_api_document()), json.dumps(new), contract="openapi/survey.json"
        )
        assert changes and not [c for c in changes if c.breaking]

    def test_a_new_v2_path_beside_the_old_one_is_compatible(self) -> None:
        new = _api_document()
        v2 = copy.deepcopy(new["paths"]["/v1/households/{household_id}"])
        v2["get"]["operationId"] = "get_household_v2"
        new["paths"]["/v2/households/{household_id}"] = v2
        changes = openapi_changes(
            json.dumps(_api_document()), json.dumps(new), contract="openapi/survey.json"
        )
        assert changes and not [c for c in changes if c.breaking]

    def test_an_added_optional_request_property_is_compatible(self) -> None:
        new = _api_document()
        new["components"]["schemas"]["HouseholdCreate"]["properties"]["notes"] = {"type": "string"}
        assert _openapi_breaking(new) == []


# --- the whole comparison -----------------------------------------------------------------


@pytest.mark.timeout(600)
class TestContractChanges:
    def test_identical_contracts_have_no_changes(self) -> None:
        files = {
            "contracts/openapi/survey.json": render_json(_api_document()),
            ASYNCAPI_FILE: render_yaml(_event_document()),
        }
        assert contract_changes(files, files) == []

    def test_a_contract_no_longer_generated_is_breaking(self) -> None:
        committed: dict[str, str | None] = {
            "contracts/openapi/survey.json": render_json(_api_document())
        }
        (change,) = contract_changes(committed, {})
        assert change.breaking

    def test_a_new_contract_is_compatible_but_a_change(self) -> None:
        generated = {"contracts/openapi/survey.json": render_json(_api_document())}
        (change,) = contract_changes({"contracts/openapi/survey.json": None}, generated)
        assert not change.breaking

    def test_rendering_is_stable_whatever_the_key_order(self) -> None:
        document = _event_document()
        reordered = json.loads(json.dumps(document, sort_keys=True))
        reordered = dict(reversed(list(reordered.items())))
        assert render_yaml(document) == render_yaml(reordered)
        assert render_json(document) == render_json(reordered)


def _events(document: dict[str, Any]) -> dict[str, str]:
    return {ASYNCAPI_FILE: render_yaml(document)}


class TestVerdict:
    def test_up_to_date_contracts_pass(self) -> None:
        assert verdict(_events(_event_document()), _events(_event_document())) == (
            True,
            ["contracts are up to date"],
        )

    def test_a_compatible_change_not_regenerated_asks_for_make_contracts(self) -> None:
        new = _event_document()
        _approved(new)["properties"]["note"] = {"type": "string"}
        passed, lines = verdict(_events(_event_document()), _events(new))
        assert not passed
        assert "run `make contracts`" in lines[-1]

    def test_a_breaking_change_asks_for_a_new_version(self) -> None:
        new = _event_document()
        del new["components"]["messages"]["household.rejected"]
        passed, lines = verdict(_events(_event_document()), _events(new))
        assert not passed
        assert "household.approved.v2" in lines[-1]

    def test_a_breaking_change_since_the_baseline_fails_even_when_committed(self) -> None:
        new = _event_document()
        del new["components"]["messages"]["household.rejected"]
        passed, lines = verdict(
            _events(new), _events(new), baseline=_events(_event_document()), against="v1.0"
        )
        assert not passed
        assert any(line.startswith("since v1.0: [BREAKING]") for line in lines)


def test_contracts_at_reads_the_files_of_a_git_ref(tmp_path: Path) -> None:
    def git(*arguments: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *arguments], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "contracts").mkdir()
    (tmp_path / ASYNCAPI_FILE).write_text("asyncapi: 3.0.0\n")
    git("add", "contracts")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "c")
    (tmp_path / ASYNCAPI_FILE).write_text("changed since\n")
    found = contracts_at(tmp_path, "HEAD", [ASYNCAPI_FILE, "contracts/openapi/x.json"])
    assert found == {ASYNCAPI_FILE: "asyncapi: 3.0.0\n", "contracts/openapi/x.json": None}
