"""What the books API returns."""

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from welfare.books.ledger import MovementKind, change_of
from welfare.books.models import FundMovement


class MovementPublic(BaseModel):
    id: uuid.UUID
    sequence: int
    kind: MovementKind
    amount_satang: int
    change_satang: int = Field(description="What the balance moved by: in positive, out negative")
    occurred_on: date
    reference: str
    recorded_at: datetime

    @classmethod
    def of(cls, row: FundMovement) -> "MovementPublic":
        return cls(
            id=row.id,
            sequence=row.sequence,
            kind=row.kind,
            amount_satang=row.amount_satang,
            change_satang=change_of(row.kind, row.amount_satang),
            occurred_on=row.occurred_on,
            reference=row.reference,
            recorded_at=row.recorded_at,
        )


class MovementsPublic(BaseModel):
    items: list[MovementPublic]
    next_after_sequence: int | None = Field(description="Pass as ?after_sequence= for more")


class BooksPublic(BaseModel):
    """The fund's books (บัญชีกองทุน), reconciled against its movements."""

    fund_id: uuid.UUID
    contributions_satang: int
    agency_match_satang: int
    local_match_satang: int
    matches_satang: int
    other_income_satang: int
    benefits_paid_satang: int
    balance_satang: int = Field(
        description="contributions + matches + other income − benefits paid"
    )
    movements: int
    balanced: bool = Field(description="The totals equal the sum of the movements")
    differences: list[str]
