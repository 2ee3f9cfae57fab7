"""The dashboard (แดชบอร์ด): one plain HTML+JS page served by reporting, no build step.

It reads the same JSON the partners read (/v1/reports/...): target against
achieved by region with drill-down to provinces, the household funnel and
money, each stamped with the time of the last event applied.
"""
