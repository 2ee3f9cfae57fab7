"""Community welfare funds in reporting: welfare's events projected per fund, fund and
fiscal year, and member, and the report, drill-downs and export that read them."""
