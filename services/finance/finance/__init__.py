"""Finance service: grants, their disbursement in tranches, and the double-entry ledger.

Listens to ``household.approved`` (open the household's grant) and to
``house.construction_started``, ``house.milestone_reached`` and
``house.completed`` (pay the tranches they make due); publishes ``grant.*``
on ``finance.grants``. Budgets, loans and revolving funds come next.
"""

SERVICE_NAME = "finance"
