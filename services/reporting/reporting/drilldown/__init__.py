"""/v1/reports/households: the households behind any figure of any report (drill-down)."""
