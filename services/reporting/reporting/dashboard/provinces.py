"""The map of Thailand the dashboard draws: province outlines by official code.

The outlines are ``@svg-maps/thailand`` 2.0.0 (npm, CC-BY-4.0, based on MapSVG's
map of Thailand), copied at build time into ``static/vendor/thailand.svg`` by
scripts/dashboard-assets.sh. Its paths are named by short letter ids (``cri``
for Chiang Rai, after HASC codes), not by the official 2-digit province codes
(DOPA) that every report uses, so ``SVG_PROVINCES`` maps one to the other
explicitly; tests/test_dashboard_map.py checks it against reporting's geography
for all 77 provinces (each name matches, no code twice, none missing).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from reporting.geography import office_map

SVG_PROVINCES: dict[str, str] = {
    # Bangkok and vicinity, the East
    "bkk": "10", "spk": "11", "nbi": "12", "pte": "13", "cbi": "20", "ryg": "21",
    "cti": "22", "trt": "23", "cco": "24", "pri": "25", "nyk": "26", "skw": "27",
    "npt": "73", "skn": "74",
    # Central and West
    "aya": "14", "atg": "15", "lri": "16", "sbr": "17", "cnt": "18", "sri": "19",
    "rbr": "70", "kri": "71", "spb": "72", "skm": "75", "pbi": "76", "pkn": "77",
    # Northeast
    "nma": "30", "brm": "31", "srn": "32", "ssk": "33", "ubn": "34", "yst": "35",
    "cpm": "36", "acr": "37", "bkn": "38", "nbp": "39", "kkn": "40", "udn": "41",
    "lei": "42", "nki": "43", "mkm": "44", "ret": "45", "ksn": "46", "snk": "47",
    "npm": "48", "mdh": "49",
    # North
    "cmi": "50", "lpn": "51", "lpg": "52", "utd": "53", "pre": "54", "nan": "55",
    "pyo": "56", "cri": "57", "msn": "58", "nsn": "60", "uti": "61", "kpt": "62",
    "tak": "63", "sti": "64", "plk": "65", "pct": "66", "pnb": "67",
    # South
    "nrt": "80", "kbi": "81", "pna": "82", "pkt": "83", "sni": "84", "rng": "85",
    "cpn": "86", "ska": "90", "stn": "91", "trg": "92", "plg": "93", "ptn": "94",
    "yla": "95", "nwt": "96",
}  # fmt: skip
"""The map's path id → the official 2-digit province code."""

NOT_PROVINCES = frozenset({"lksg"})
"""Paths of the map that are no province: Songkhla Lake, drawn as water."""

SVG = Path(__file__).parent / "static" / "vendor" / "thailand.svg"
ATTRIBUTION = (
    "Province boundaries: @svg-maps/thailand 2.0.0, based on MapSVG's map of Thailand "
    "(mapsvg.com), CC BY 4.0 (creativecommons.org/licenses/by/4.0/), ids mapped to "
    "official province codes"
)


@dataclass(frozen=True)
class MapPath:
    id: str
    name: str
    d: str


def svg_paths(svg: Path = SVG) -> list[MapPath]:
    """Every path of the vendored map, as the package names it."""
    root = ElementTree.parse(svg).getroot()  # our own build artefact
    return [
        MapPath(path.attrib["id"], path.attrib.get("aria-label", ""), path.attrib["d"])
        for path in root.iter("{http://www.w3.org/2000/svg}path")
    ]


@cache
def thailand_map() -> dict[str, Any]:
    """What the page draws: the viewBox, each province's outline with its code,
    region and names, the water, and the credit its licence asks for."""
    root = ElementTree.parse(SVG).getroot()
    offices = office_map()
    provinces = []
    water = []
    for path in svg_paths():
        if path.id in NOT_PROVINCES:
            water.append(path.d)
            continue
        code = SVG_PROVINCES[path.id]
        province = offices.provinces[code]
        provinces.append(
            {
                "code": code,
                "region": province.region,
                "name_th": province.name_th,
                "name_en": province.name_en,
                "d": path.d,
            }
        )
    return {
        "viewBox": root.attrib["viewBox"],
        "provinces": sorted(provinces, key=lambda p: p["code"]),
        "regions": {
            code: {"name_th": region.name_th, "name_en": region.name_en}
            for code, region in offices.regions.items()
        },
        "water": water,
        "attribution": ATTRIBUTION,
    }
