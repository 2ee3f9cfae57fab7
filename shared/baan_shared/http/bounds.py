"""Bounded numbers for request schemas, one definition for every service.

A request integer without an upper bound reaches the database and overflows
there (``BIGINT``/``INTEGER``): a 500 instead of a 422 naming the field. These
types state the domain's limits up front, so the 422 comes from validation and
the OpenAPI documents publish the limits to partners.
"""

from typing import Annotated

from pydantic import Field

MAX_SATANG = 10**15
"""10 trillion baht: above any national budget line, far below BIGINT's limit."""

MAX_COUNT = 2**31 - 1
"""PostgreSQL ``INTEGER``: households, persons, percentages and other counts."""

Satang = Annotated[int, Field(strict=True, ge=0, le=MAX_SATANG)]
"""An amount of money in satang (1/100 baht), zero allowed."""

PositiveSatang = Annotated[int, Field(strict=True, gt=0, le=MAX_SATANG)]
"""An amount that must move money: more than zero satang."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
"""A number of things (households, persons, rows), zero allowed."""

FiscalYearBE = Annotated[int, Field(ge=2500, le=2700)]
"""A Thai fiscal year in the Buddhist Era, e.g. 2562 (Oct 2018 - Sep 2019)."""
