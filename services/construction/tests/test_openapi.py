"""The API docs a partner integrates from: every endpoint is described."""

import httpx


async def test_the_openapi_document_describes_uploads_exports_and_problems(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    upload = paths["/v1/house-works/{house_work_id}/updates/{update_id}/photos"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"413", "415"} <= set(upload["responses"])
    export = paths["/v1/house-works/export"]["get"]["responses"]["200"]["content"]
    assert {
        "text/csv; charset=utf-8",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    } <= set(export)
    assert (
        "application/problem+json" in paths["/v1/projects"]["post"]["responses"]["422"]["content"]
    )
