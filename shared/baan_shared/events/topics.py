"""Kafka topics: one per aggregate stream, keyed by aggregate id, so all events
of one household (or house, or grant) stay in order on one partition."""

SURVEY_HOUSEHOLDS = "survey.households"
SURVEY_TAMBON_PLANS = "survey.tambon_plans"
SURVEY_TAMBON_COVERAGE = "survey.tambon_coverage"
CONSTRUCTION_HOUSES = "construction.houses"
FINANCE_GRANTS = "finance.grants"
FINANCE_LOANS = "finance.loans"
FINANCE_BUDGETS = "finance.budgets"
FINANCE_REVOLVING_FUNDS = "finance.revolving_funds"
FINANCE_WELFARE_MATCHES = "finance.welfare_matches"
WELFARE_FUNDS = "welfare.funds"
WELFARE_MEMBERS = "welfare.members"
WELFARE_BENEFITS = "welfare.benefits"
WELFARE_MATCHES = "welfare.matches"

ALL_STREAMS = (
    SURVEY_HOUSEHOLDS,
    SURVEY_TAMBON_PLANS,
    SURVEY_TAMBON_COVERAGE,
    CONSTRUCTION_HOUSES,
    FINANCE_GRANTS,
    FINANCE_LOANS,
    FINANCE_BUDGETS,
    FINANCE_REVOLVING_FUNDS,
    FINANCE_WELFARE_MATCHES,
    WELFARE_FUNDS,
    WELFARE_MEMBERS,
    WELFARE_BENEFITS,
    WELFARE_MATCHES,
)


def dead_letter_topic(topic: str, consumer: str) -> str:
    """Where a consumer parks the events of ``topic`` it could not apply."""
    return f"{topic}.dlq.{consumer}"
