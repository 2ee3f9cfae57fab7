"""The dashboard's map: its outlines keyed by official province code.

@svg-maps/thailand names its paths by short letter ids; reporting.dashboard.provinces
maps them to the 2-digit codes every report uses. Checked here against reporting's
geography (DOPA codes, geothai names) for all 77 provinces. The Chromium checks of the
drawn map are in test_dashboard.py.
"""

import re

import httpx
from fastapi import FastAPI

from reporting.dashboard.provinces import NOT_PROVINCES, SVG_PROVINCES, svg_paths
from reporting.geography import office_map


def _plain(name: str) -> str:
    """ "Buri Ram" and "Buriram", "Phang-nga" and "Phangnga" are one name."""
    return re.sub(r"[^a-z]", "", name.lower())


def test_every_province_of_the_country_has_one_outline_on_the_map() -> None:
    provinces = office_map().provinces
    assert len(provinces) == 77
    assert sorted(SVG_PROVINCES.values()) == sorted(provinces)  # each code once, none missing
    drawn = {path.id for path in svg_paths()}
    assert drawn == set(SVG_PROVINCES) | NOT_PROVINCES


def test_each_outline_is_the_province_its_code_names() -> None:
    provinces = office_map().provinces
    for path in svg_paths():
        if path.id in NOT_PROVINCES:
            assert "lake" in path.name.lower()
            continue
        official = provinces[SVG_PROVINCES[path.id]].name_en
        assert _plain(path.name) == _plain(official), (path.id, path.name, official)


async def test_the_page_gets_the_outlines_by_code_with_their_names_regions_and_credit(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.get("/dashboard/assets/thailand-map.json")
    assert response.status_code == 200
    drawn = response.json()
    chiang_rai = next(p for p in drawn["provinces"] if p["code"] == "57")
    assert (chiang_rai["name_th"], chiang_rai["region"]) == ("เชียงราย", "N")
    assert chiang_rai["d"].startswith("m ")
    assert {p["region"] for p in drawn["provinces"]} == {"BVE", "N", "CW", "NE", "S"}
    assert len(drawn["provinces"]) == 77
    assert "CC BY 4.0" in drawn["attribution"] and "@svg-maps/thailand" in drawn["attribution"]
