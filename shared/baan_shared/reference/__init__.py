"""Reference data every service must agree on: the programmes, the agency's
regional offices and the area levels. One definition here, so events, budgets,
targets and reports use the same codes and words."""

from baan_shared.reference.areas import COUNTRY_CODE, DEPRECATED_LEVELS, AreaLevel, current_level
from baan_shared.reference.programmes import Programme
from baan_shared.reference.regions import RegionalOffice, region_of_province, regional_offices

__all__ = [
    "COUNTRY_CODE",
    "DEPRECATED_LEVELS",
    "AreaLevel",
    "Programme",
    "RegionalOffice",
    "current_level",
    "region_of_province",
    "regional_offices",
]
