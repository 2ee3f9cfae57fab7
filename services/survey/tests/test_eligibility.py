"""Eligibility rules as plain functions, and as the committee meets them through the API."""

import httpx
from survey_factories import household_body, national_id

from baan_shared.auth import RESOLVED_BY, Principal
from baan_shared.reference import Programme
from survey.households.eligibility import Outcome, evaluate, is_eligible, shown
from survey.households.models import HouseCondition, Household, LandTenure, Need
from survey.programmes.models import ProgrammeRules, ProgrammeUnit


def _household(**overrides: object) -> Household:
    fields: dict[str, object] = {
        "programme": Programme.BAAN_PHO_PHIANG,
        "head_name": "นางสมศรี ใจดี",
        "national_id": national_id(),
        "province_code": "57",
        "district_code": "5701",
        "subdistrict_code": "570101",
        "household_size": 4,
        "monthly_income_satang": 500_000,
        "need": Need.REPAIR,
        "estimated_cost_satang": 2_000_000,
    }
    fields.update(overrides)
    return Household(**fields)


RULES = ProgrammeRules(
    code=Programme.BAAN_PHO_PHIANG,
    name_th="บ้านพอเพียงชนบท",
    name_en="Rural",
    unit=ProgrammeUnit.HOUSEHOLD,
    income_limit_satang=1_000_000,
    allowed_house_conditions=["dilapidated", "must_rebuild"],
    allowed_tenures=["own_title", "permitted_use"],
)


class TestRules:
    def test_within_every_rule_is_eligible(self) -> None:
        household = _household(
            house_condition=HouseCondition.DILAPIDATED, land_tenure=LandTenure.OWN_TITLE
        )
        checks = evaluate(household, RULES, None)
        assert [c.outcome for c in checks] == [Outcome.PASS] * 4
        assert is_eligible(checks)

    def test_income_above_the_limit_fails_with_both_amounts_in_baht(self) -> None:
        checks = evaluate(_household(monthly_income_satang=1_000_001), RULES, None)
        income = next(c for c in checks if c.rule == "income_limit")
        assert income.outcome == Outcome.FAIL
        assert "10,000.01 THB" in income.reason and "10,000.00 THB" in income.reason
        assert not is_eligible(checks)

    def test_income_exactly_at_the_limit_passes(self) -> None:
        checks = evaluate(_household(monthly_income_satang=1_000_000), RULES, None)
        assert checks[0].outcome == Outcome.PASS

    def test_unsurveyed_condition_and_tenure_are_unknown_not_failures(self) -> None:
        checks = evaluate(_household(), RULES, None)
        assert {c.rule: c.outcome for c in checks}["house_condition"] == Outcome.UNKNOWN
        assert {c.rule: c.outcome for c in checks}["land_tenure"] == Outcome.UNKNOWN
        assert is_eligible(checks)

    def test_tenure_outside_the_programme_fails(self) -> None:
        checks = evaluate(_household(land_tenure=LandTenure.PUBLIC_LAND), RULES, None)
        tenure = next(c for c in checks if c.rule == "land_tenure")
        assert tenure.outcome == Outcome.FAIL
        assert "public_land" in tenure.reason

    def test_a_household_already_approved_elsewhere_fails(self) -> None:
        earlier = _household(programme=Programme.CANAL)
        checks = evaluate(_household(), RULES, earlier)
        assert checks[-1].rule == "not_already_assisted"
        assert checks[-1].outcome == Outcome.FAIL
        stored = checks[-1].as_dict()
        # Stored once, read by everyone: the stored reason names nothing of the other case.
        assert str(earlier.id) not in stored["reason"]
        assert "CANAL" not in stored["reason"]
        assert RESOLVED_BY in stored["reason"]
        national = Principal.of("national", areas=["*"])
        same_province = Principal.of("chiang-rai", areas=["57"])
        other_province = Principal.of("chiang-mai", areas=["50"])
        for viewer in (None, national, same_province):
            assert shown(stored, viewer)["reason"] == (
                f"already approved as household {earlier.id} (CANAL)"
            )
        elsewhere = shown(stored, other_province)
        assert elsewhere == {"rule": "not_already_assisted", "outcome": "fail"} | {
            "reason": stored["reason"]
        }

    def test_a_check_stored_before_the_case_was_kept_apart_is_named_only_nationally(
        self,
    ) -> None:
        legacy = {
            "rule": "not_already_assisted",
            "outcome": "fail",
            "reason": "already approved as household 0190f5d2-0000-7000-8000-000000000000 (CANAL)",
        }
        assert shown(legacy, Principal.of("national", areas=["*"])) == legacy
        partner = shown(legacy, Principal.of("chiang-mai", areas=["50"]))
        assert "0190f5d2" not in partner["reason"]
        assert "CANAL" not in partner["reason"]
        assert RESOLVED_BY in partner["reason"]


async def _tighten_rural_rules(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/v1/programmes/BAAN_PHO_PHIANG",
        json={
            "name_th": "บ้านพอเพียงชนบท",
            "name_en": "Rural",
            "unit": "household",
            "income_limit_satang": 1_000_000,
            "allowed_house_conditions": ["dilapidated", "must_rebuild"],
            "allowed_tenures": ["own_title"],
            "updated_by": "admin",
        },
    )
    assert response.status_code == 200


async def _register_and_screen(client: httpx.AsyncClient, **overrides: object) -> dict:
    created = await client.post("/v1/households", json=household_body(**overrides))
    assert created.status_code == 201, created.text
    screened = await client.post(
        f"/v1/households/{created.json()['id']}/screen", json={"decided_by": "committee"}
    )
    assert screened.status_code == 200, screened.text
    result: dict = screened.json()
    return result


class TestScreeningAndApproval:
    async def test_screening_shows_eligibility_with_reasons(
        self, client: httpx.AsyncClient
    ) -> None:
        await _tighten_rural_rules(client)
        screened = await _register_and_screen(
            client, monthly_income_satang=2_000_000, house_condition="dilapidated"
        )
        assert screened["eligible"] is False
        outcomes = {c["rule"]: c["outcome"] for c in screened["eligibility_checks"]}
        assert outcomes == {
            "income_limit": "fail",
            "house_condition": "pass",
            "land_tenure": "unknown",
            "not_already_assisted": "pass",
        }

    async def test_approving_an_ineligible_household_without_override_is_409_listing_failures(
        self, client: httpx.AsyncClient
    ) -> None:
        await _tighten_rural_rules(client)
        screened = await _register_and_screen(client, land_tenure="public_land")
        response = await client.post(
            f"/v1/households/{screened['id']}/approve", json={"decided_by": "committee"}
        )
        assert response.status_code == 409
        assert [c["rule"] for c in response.json()["failed_checks"]] == ["land_tenure"]
        after = (await client.get(f"/v1/households/{screened['id']}")).json()
        assert after["status"] == "screened"

    async def test_committee_override_is_recorded_on_household_and_history(
        self, client: httpx.AsyncClient
    ) -> None:
        await _tighten_rural_rules(client)
        screened = await _register_and_screen(client, land_tenure="public_land")
        response = await client.post(
            f"/v1/households/{screened['id']}/approve",
            json={"decided_by": "committee", "override_reason": "land being bought by the fund"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["eligibility_override"] == "land being bought by the fund"
        history = (await client.get(f"/v1/households/{screened['id']}/history")).json()
        assert "land being bought by the fund" in history[-1]["reason"]

    async def test_eligibility_can_be_read_against_every_programme(
        self, client: httpx.AsyncClient
    ) -> None:
        await _tighten_rural_rules(client)
        created = await client.post(
            "/v1/households", json=household_body(land_tenure="public_land")
        )
        results = (await client.get(f"/v1/households/{created.json()['id']}/eligibility")).json()
        by_programme = {r["programme"]: r["eligible"] for r in results}
        assert by_programme["BAAN_PHO_PHIANG"] is False
        assert by_programme["CANAL"] is True
