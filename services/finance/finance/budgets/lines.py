"""What a budget pays for: one of the housing programmes (``baan_shared.reference.Programme``),
or the agency's 1:1 matches of community welfare funds' contributions
(งบสมทบกองทุนสวัสดิการชุมชน, issue 19).

The welfare line is finance's own word for a budget, not a housing programme: no
household is ever in it, so survey, construction and reporting's programme
vocabulary stay as they are (``budget.allocated`` already carries the programme as
text, and reporting keeps budgets by that text).
"""

from enum import StrEnum

from baan_shared.reference import Programme


class BudgetProgramme(StrEnum):
    """Every housing programme (a test keeps them equal), then the welfare line."""

    BAAN_MANKONG = Programme.BAAN_MANKONG.value
    BAAN_PHO_PHIANG = Programme.BAAN_PHO_PHIANG.value
    LAND_REFORM = Programme.LAND_REFORM.value
    CANAL = Programme.CANAL.value
    HOMELESS = Programme.HOMELESS.value
    EMERGENCY = Programme.EMERGENCY.value
    WELFARE_MATCH = "WELFARE_MATCH"


WELFARE_MATCH = BudgetProgramme.WELFARE_MATCH.value
