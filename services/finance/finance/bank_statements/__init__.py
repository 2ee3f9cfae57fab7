"""Bank statements: a statement's loan repayments booked in one call (issue 17)."""
