"""Priority ranking of approved households with configurable weights."""

import httpx
from survey_factories import household_body

from baan_shared.reference import Programme
from survey.households.models import HouseCondition, Household, Need
from survey.households.priority import Factors, Weights, factors, score


async def _approved(client: httpx.AsyncClient, **overrides: object) -> str:
    created = await client.post("/v1/households", json=household_body(**overrides))
    assert created.status_code == 201, created.text
    household_id: str = created.json()["id"]
    for step in ("screen", "approve"):
        response = await client.post(
            f"/v1/households/{household_id}/{step}", json={"decided_by": "committee"}
        )
        assert response.status_code == 200, response.text
    return household_id


class TestScore:
    def test_no_income_and_a_house_to_rebuild_is_the_most_need(self) -> None:
        household = Household(
            programme=Programme.BAAN_PHO_PHIANG,
            head_name="x",
            national_id="1",
            province_code="57",
            district_code="5701",
            subdistrict_code="570101",
            household_size=2,
            monthly_income_satang=0,
            need=Need.REBUILD,
            estimated_cost_satang=0,
            house_condition=HouseCondition.MUST_REBUILD,
        )
        assert score(factors(household, vulnerable_members=2), Weights()) == 1.0

    def test_weights_change_the_order(self) -> None:
        poor_sound_house = Factors(income=1.0, condition=0.0, vulnerable=0.0)
        richer_ruined_house = Factors(income=0.2, condition=1.0, vulnerable=0.0)
        by_income = Weights(income=1, condition=0, vulnerable=0)
        by_condition = Weights(income=0, condition=1, vulnerable=0)
        assert score(poor_sound_house, by_income) > score(richer_ruined_house, by_income)
        assert score(poor_sound_house, by_condition) < score(richer_ruined_house, by_condition)


class TestRankingApi:
    async def test_most_need_comes_first_and_only_approved_are_ranked(
        self, client: httpx.AsyncClient
    ) -> None:
        comfortable = await _approved(
            client,
            head_name="นายหนึ่ง",
            monthly_income_satang=1_400_000,
            house_condition="never_repaired",
        )
        neediest = await _approved(
            client,
            head_name="นางสอง",
            monthly_income_satang=100_000,
            house_condition="must_rebuild",
            members=[{"age": 75, "sex": "female"}, {"age": 3, "sex": "male"}],
        )
        await client.post("/v1/households", json=household_body(head_name="นายสาม"))
        ranking = (
            await client.get(
                "/v1/households/ranking",
                params={"programme": "BAAN_PHO_PHIANG", "subdistrict_code": "570101"},
            )
        ).json()
        assert [r["household"]["id"] for r in ranking["items"]] == [neediest, comfortable]
        assert [r["rank"] for r in ranking["items"]] == [1, 2]
        assert ranking["items"][0]["vulnerable_members"] == 2

    async def test_weighting_only_vulnerable_members_reorders(
        self, client: httpx.AsyncClient
    ) -> None:
        poorest = await _approved(client, head_name="นายหนึ่ง", monthly_income_satang=0)
        with_elders = await _approved(
            client,
            head_name="นางสอง",
            monthly_income_satang=1_000_000,
            members=[{"age": 80, "sex": "female", "disability": True}],
        )
        default = (await client.get("/v1/households/ranking")).json()
        assert default["items"][0]["household"]["id"] == poorest
        by_vulnerable = (
            await client.get(
                "/v1/households/ranking",
                params={"weight_income": 0, "weight_condition": 0, "weight_vulnerable": 1},
            )
        ).json()
        assert by_vulnerable["items"][0]["household"]["id"] == with_elders
        assert by_vulnerable["weights"] == {"income": 0, "condition": 0, "vulnerable": 1}

    async def test_all_weights_zero_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get(
            "/v1/households/ranking",
            params={"weight_income": 0, "weight_condition": 0, "weight_vulnerable": 0},
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    async def test_negative_weight_is_422_naming_it(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/households/ranking", params={"weight_income": -1})
        assert [e["field"] for e in response.json()["errors"]] == ["query.weight_income"]


async def _save_weights(client: httpx.AsyncClient, code: str, **weights: float) -> httpx.Response:
    return await client.put(
        f"/v1/programmes/{code}/ranking-weights", json={"updated_by": "admin", **weights}
    )


class TestSavedWeights:
    async def test_a_programme_starts_with_the_default_weights(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/v1/programmes/BAAN_PHO_PHIANG/ranking-weights")
        assert response.json() == {"income": 0.5, "condition": 0.3, "vulnerable": 0.2}
        programme = (await client.get("/v1/programmes/BAAN_PHO_PHIANG")).json()
        assert programme["ranking_weights"] == response.json()

    async def test_saved_weights_rank_by_default_and_parameters_still_override(
        self, client: httpx.AsyncClient
    ) -> None:
        poorest = await _approved(client, head_name="นายหนึ่ง", monthly_income_satang=0)
        with_elders = await _approved(
            client,
            head_name="นางสอง",
            monthly_income_satang=1_000_000,
            members=[{"age": 80, "sex": "female", "disability": True}],
        )
        saved = await _save_weights(client, "BAAN_PHO_PHIANG", income=0, condition=0, vulnerable=1)
        assert saved.status_code == 200, saved.text
        ranking = (
            await client.get("/v1/households/ranking", params={"programme": "BAAN_PHO_PHIANG"})
        ).json()
        assert [r["household"]["id"] for r in ranking["items"]] == [with_elders, poorest]
        assert ranking["weights"] == {"income": 0, "condition": 0, "vulnerable": 1}
        overridden = (
            await client.get(
                "/v1/households/ranking",
                params={"programme": "BAAN_PHO_PHIANG", "weight_income": 1, "weight_vulnerable": 0},
            )
        ).json()
        assert overridden["items"][0]["household"]["id"] == poorest
        listed = (await client.get("/v1/households", params={"sort": "-priority"})).json()
        assert [h["id"] for h in listed["items"]] == [with_elders, poorest]

    async def test_each_household_is_weighed_by_its_own_programmes_weights(
        self, client: httpx.AsyncClient
    ) -> None:
        rural = await _approved(client, monthly_income_satang=0, house_condition="dilapidated")
        emergency = await _approved(
            client, programme="EMERGENCY", monthly_income_satang=0, house_condition="dilapidated"
        )
        # No vulnerable members: weighing only them scores the emergency household 0.
        await _save_weights(client, "EMERGENCY", income=0, condition=0, vulnerable=1)
        ranking = (await client.get("/v1/households/ranking")).json()
        assert [r["household"]["id"] for r in ranking["items"]] == [rural, emergency]
        assert [r["score"] for r in ranking["items"]] == [0.725, 0]
        assert ranking["weights"] is None
        assert ranking["weights_by_programme"]["EMERGENCY"] == {
            "income": 0,
            "condition": 0,
            "vulnerable": 1,
        }

    async def test_all_zero_weights_are_refused_naming_each(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await _save_weights(
            client, "BAAN_PHO_PHIANG", income=0, condition=0, vulnerable=0
        )
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {
            "body.income",
            "body.condition",
            "body.vulnerable",
        }
        weights = (await client.get("/v1/programmes/BAAN_PHO_PHIANG/ranking-weights")).json()
        assert weights["income"] == 0.5

    async def test_a_negative_weight_or_unknown_programme_is_422(
        self, client: httpx.AsyncClient
    ) -> None:
        negative = await _save_weights(
            client, "BAAN_PHO_PHIANG", income=-1, condition=0, vulnerable=1
        )
        assert [e["field"] for e in negative.json()["errors"]] == ["body.income"]
        unknown = await _save_weights(client, "NOPE", income=1, condition=0, vulnerable=1)
        assert unknown.status_code == 422
        assert [e["field"] for e in unknown.json()["errors"]] == ["path.code"]
