"""Reporting service: read models built from every other service's events.

Owns no business state of its own: it listens to ``household.*``, ``house.*``,
``grant.*``, ``budget.*`` and ``loan.*`` and keeps projections (the funnel of
each household, budgets, grants and loans) that the reports API aggregates by programme and area.
"""

SERVICE_NAME = "reporting"
