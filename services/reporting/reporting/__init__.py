"""Reporting service: read models built from every other service's events.

Owns no business state of its own: it listens to ``household.*``, ``house.*``
and ``grant.*`` and keeps projections (the funnel of each household, money
granted and paid) that the reports API aggregates by programme and area.
"""

SERVICE_NAME = "reporting"
