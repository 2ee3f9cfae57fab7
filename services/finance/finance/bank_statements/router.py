"""/v1/bank-statements: a bank statement's loan repayments booked in one call."""

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from baan_shared.errors import field_error
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import PayloadTooLarge, problem_responses
from baan_shared.http.idempotency import idempotent
from finance.access import Disburser
from finance.bank_statements import csv_file, service
from finance.bank_statements.schemas import BankStatement, StatementResult

MAX_FILE_BYTES = 2 * 1024 * 1024

PROBLEMS = problem_responses(
    {
        409: "A line's loan takes no repayments, or its payment reference belongs to another "
        "loan; `errors` names each refused line and nothing was booked",
        422: "Invalid input, more than is owed, a payment reference twice, or a loan that is "
        "unknown (or outside the client's areas); `errors` names each refused line "
        "and nothing was booked",
    }
)

router = APIRouter(prefix="/v1/bank-statements", tags=["bank statements"], responses=PROBLEMS)


@router.post("", response_model=StatementResult)
@idempotent
async def book_statement(
    body: BankStatement, session: SessionDep, principal: Disburser
) -> StatementResult:
    """Book a statement's repayments: each line as ``POST /v1/loans/{id}/repayments`` would
    (interest first, then principal; publishes ``loan.repayment_received``). All or none,
    with a result per line; a line whose payment reference was booked on its loan before
    is ``already_booked`` and books nothing, so a statement sent twice pays nothing twice."""
    return await service.book(session, principal, body.lines)


@router.post("/file", response_model=StatementResult)
@idempotent
async def book_statement_file(
    session: SessionDep,
    principal: Disburser,
    file: Annotated[
        UploadFile,
        File(
            description="A UTF-8 CSV: loan_id, payment_reference, amount_satang (or "
            "amount_baht), paid_on; other columns are ignored"
        ),
    ],
) -> StatementResult:
    """The same as ``POST /v1/bank-statements``, from a CSV file; a refused row is named
    ``file.rows.N.<column>`` (N from 0 for the first row under the header)."""
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise PayloadTooLarge(
            f"a statement file may be at most {MAX_FILE_BYTES} bytes",
            max_bytes=MAX_FILE_BYTES,
            errors=[field_error("body.file", f"at most {MAX_FILE_BYTES} bytes")],
        )
    return await service.book(session, principal, csv_file.parse(content), at=csv_file.AT)
