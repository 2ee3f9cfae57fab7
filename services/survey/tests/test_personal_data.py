"""National IDs and phones: masked unless the client holds pii:read; every read in clear audited."""

import httpx
from survey_factories import household_body, national_id

from baan_shared.auth import mask_national_id, mask_phone

PHONE = "081-234-5678"


async def _register(client: httpx.AsyncClient) -> tuple[str, str]:
    nid = national_id(7301)
    response = await client.post(
        "/v1/households", json=household_body(national_id=nid, phone=PHONE)
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], nid


async def test_without_pii_read_ids_and_phones_are_masked_everywhere(
    client: httpx.AsyncClient, no_pii_client: httpx.AsyncClient
) -> None:
    household_id, nid = await _register(client)

    one = await no_pii_client.get(f"/v1/households/{household_id}")
    listed = await no_pii_client.get("/v1/households")
    exported = await no_pii_client.get("/v1/households/export")

    for response in (one, listed, exported):
        assert response.status_code == 200
        assert nid not in response.text
        assert PHONE not in response.text
    assert (one.json()["national_id"], one.json()["phone"]) == (
        mask_national_id(nid),
        mask_phone(PHONE),
    )
    assert listed.json()["items"][0]["national_id"] == mask_national_id(nid)


async def test_reads_in_clear_are_audited_and_masked_reads_are_not(
    client: httpx.AsyncClient, no_pii_client: httpx.AsyncClient
) -> None:
    household_id, nid = await _register(client)

    await no_pii_client.get(f"/v1/households/{household_id}")
    seen = await client.get(f"/v1/households/{household_id}")
    assert (seen.json()["national_id"], seen.json()["phone"]) == (nid, PHONE)

    log = await client.get("/v1/audit-log", params={"pii_read": "true"})
    assert log.status_code == 200
    reads = [(r["client_id"], r["resource_id"]) for r in log.json()["items"]]
    # The registration's answer and the read, both by the national client; none by the other.
    assert reads == [("baan-national", household_id), ("baan-national", household_id)]


async def test_the_history_never_shows_a_whole_phone_number(
    client: httpx.AsyncClient, no_pii_client: httpx.AsyncClient
) -> None:
    household_id, _ = await _register(client)
    edited = await client.patch(
        f"/v1/households/{household_id}", json={"phone": "089-999-0000", "edited_by": "surveyor"}
    )
    assert edited.status_code == 200, edited.text

    history = (await no_pii_client.get(f"/v1/households/{household_id}/history")).json()

    [edit] = [h for h in history if h["kind"] == "edit"]
    assert (edit["field"], edit["old_value"], edit["new_value"]) == (
        "phone",
        mask_phone(PHONE),
        mask_phone("089-999-0000"),
    )
