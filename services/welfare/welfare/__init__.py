"""Welfare service: community welfare funds (กองทุนสวัสดิการชุมชน).

Funds per tambon or municipality with their committee and rules (rule versions
with effective dates); members and their one baht a day; benefits claimed,
checked against the rules in force on the event's date, decided by the
committee and paid from the fund; the agency's and local administrations'
matches; each fund's books. Publishes on ``welfare.funds``,
``welfare.members``, ``welfare.claims`` and ``welfare.matches``. See README.md.
"""

SERVICE_NAME = "welfare"
SOURCE = f"/services/{SERVICE_NAME}"
