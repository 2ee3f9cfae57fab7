"""Reference data every service must agree on: the programmes and the agency's
regional offices. One definition here, so events, budgets, targets and reports
use the same codes."""

from baan_shared.reference.programmes import Programme
from baan_shared.reference.regions import RegionalOffice, region_of_province, regional_offices

__all__ = ["Programme", "RegionalOffice", "region_of_province", "regional_offices"]
