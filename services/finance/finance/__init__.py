"""Finance service: budgets, grants in tranches, loans, revolving funds, the ledger.

Listens to ``household.approved`` (reserve the household's grant from its
budget, or reject it) and to ``house.construction_started``,
``house.milestone_reached`` and ``house.completed`` (pay the tranches they make
due), and to ``welfare_match.approved`` (pay the agency's match of a welfare
fund's contributions, once); publishes ``budget.allocated`` on ``finance.budgets``, ``grant.*`` on
``finance.grants`` and ``loan.*`` on ``finance.loans``. See README.md.
"""

SERVICE_NAME = "finance"
