"""Area levels: one vocabulary for every service, API and event.

The whole country is ``country`` (ทั้งประเทศ, code ``TH``), beside the geographic
levels below it: ``region`` (a regional office, สำนักงานภาค: BVE, N, CW, NE, S),
``province`` (2-digit official code), ``district`` (4) and ``subdistrict`` (6).
Finance's budgets add one level that is not a place, ``project`` (a construction
project's id), on top of these.

Finance once called the whole country ``national``. Events already on the bus and
rows stored before the change carry that word: events are history and are never
rewritten, so whoever reads a level reads it through ``current_level``. Finance's
budgets API still takes ``national`` on input, as a deprecated alias answered as
``country`` (docs/contracts.md, "Area levels").
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class AreaLevel(StrEnum):
    """How finely the country is cut, coarsest first."""

    COUNTRY = "country"  # ทั้งประเทศ
    REGION = "region"  # สำนักงานภาค
    PROVINCE = "province"  # จังหวัด
    DISTRICT = "district"  # อำเภอ
    SUBDISTRICT = "subdistrict"  # ตำบล


COUNTRY_CODE = "TH"

DEPRECATED_LEVELS: Mapping[str, AreaLevel] = {"national": AreaLevel.COUNTRY}
"""Old words for a level, as events and stored rows from before may carry them."""


def current_level(word: Any) -> Any:
    """The level's current word for an old one (``national`` → ``country``); anything
    else as it is. For a pydantic ``BeforeValidator`` as well as plain strings."""
    if isinstance(word, str) and word in DEPRECATED_LEVELS:
        return DEPRECATED_LEVELS[word].value
    return word
