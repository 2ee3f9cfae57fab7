"""The scope catalogue: one scope per kind of action a partner may be allowed.

A token carries the scopes its client was granted; each endpoint names the
scopes it needs (``Security(require_scopes("survey:read"))``). OpenAPI lists
this catalogue in the OAuth2 security scheme.
"""

SURVEY_READ = "survey:read"
SURVEY_WRITE = "survey:write"
SURVEY_APPROVE = "survey:approve"
CONSTRUCTION_READ = "construction:read"
CONSTRUCTION_WRITE = "construction:write"
FINANCE_READ = "finance:read"
FINANCE_WRITE = "finance:write"
FINANCE_DISBURSE = "finance:disburse"
WELFARE_READ = "welfare:read"
WELFARE_WRITE = "welfare:write"
WELFARE_DECIDE = "welfare:decide"
WELFARE_MATCH = "welfare:match"
REPORTS_READ = "reports:read"
REPORTS_WRITE = "reports:write"
PII_READ = "pii:read"
AUDIT_READ = "audit:read"
ADMIN = "admin"

SCOPES: dict[str, str] = {
    SURVEY_READ: "Read communities, survey rounds and households",
    SURVEY_WRITE: "Register and change households, communities and survey rounds",
    SURVEY_APPROVE: "Approve, reject or waitlist households",
    CONSTRUCTION_READ: "Read projects, house works and milestones",
    CONSTRUCTION_WRITE: "Plan houses, record milestones, materials and inspections",
    FINANCE_READ: "Read budgets, grants, loans and the ledger",
    FINANCE_WRITE: "Allocate budgets, approve grants and loans, record repayments",
    FINANCE_DISBURSE: "Disburse grants and loans",
    WELFARE_READ: "Read welfare funds, their rules, members, contributions, claims and books",
    WELFARE_WRITE: "Register welfare funds and members, record contributions, file claims",
    WELFARE_DECIDE: "A fund committee's decisions: approve or refuse claims, pay benefits",
    WELFARE_MATCH: "Approve matches of members' contributions (the agency, local administrations)",
    REPORTS_READ: "Read reports and dashboards",
    REPORTS_WRITE: "Set targets",
    PII_READ: "See national IDs and phone numbers unmasked (every read is audited)",
    AUDIT_READ: "Read the audit log",
    ADMIN: "National administration: every area, programme rules",
}
