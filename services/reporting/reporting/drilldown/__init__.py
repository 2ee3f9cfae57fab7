"""/v1/reports/households: the households behind any figure of any report (drill-down),
and /v1/reports/households/{household_id}: one household's record as reporting knows it."""
