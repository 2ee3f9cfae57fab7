"""/v1/loans: approve, disburse and repay loans; read schedules and arrears."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth import Principal, forbid_unless_covered
from baan_shared.auth.audit import audit_resource
from baan_shared.clock import thai_today
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from baan_shared.http.idempotency import idempotent
from baan_shared.http.pagination import decode_cursor, encode_cursor
from baan_shared.pages import Paging
from baan_shared.reference import Programme
from finance.access import Disburser, Reader, Writer
from finance.loans import service
from finance.loans.models import Loan, LoanStatus
from finance.loans.schemas import (
    ArrearsReview,
    InstalmentPublic,
    LoanArrears,
    LoanCreate,
    LoanDetail,
    LoanDisburse,
    LoanPublic,
    LoanReschedule,
    LoansPublic,
    RepaymentCreate,
    RepaymentPublic,
    RepaymentReversal,
    ReschedulingPublic,
)
from finance.settings import FinanceSettings

router = APIRouter(prefix="/v1/loans", tags=["loans"])


def _settings(request: Request) -> FinanceSettings:
    settings: FinanceSettings = request.app.state.runtime.settings
    return settings


SettingsDep = Annotated[FinanceSettings, Depends(_settings)]
AsOf = Annotated[date | None, Query(description="Defaults to today in Thailand")]


async def _covered_loan(
    session: AsyncSession, principal: Principal, loan_id: uuid.UUID, *, for_update: bool = True
) -> Loan:
    """The loan, or the same 404 as a missing one when it lies outside the client's areas.

    Writes lock it here (``for_update``): the service locks it again, and a row
    first read without the lock would stay stale in the session's identity map."""
    return await service.get(session, loan_id, for_update=for_update, principal=principal)


@router.post(
    "",
    response_model=LoanPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            403: "The loan's area is outside the client's areas",
            422: "Invalid input, over the programme's cap, or a revolving fund the client "
            "cannot see or that does not serve the loan's area",
        }
    ),
)
@idempotent
async def approve_loan(
    body: LoanCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: Writer,
    request: Request,
) -> LoanPublic:
    """Approve a loan (principal, rate, term, grace, repayment method) within the cap.

    Loans in a rural programme repay into the sub-district's revolving fund. A named
    ``revolving_fund_id`` outside the client's areas answers exactly as an unknown one
    (422 naming the field); a fund must serve the loan's own area, whoever asks. The
    cap counts the household's loans in every area; a client bound to areas is not
    told their amounts."""
    forbid_unless_covered(
        principal,
        province=body.province_code,
        district=body.district_code,
        subdistrict=body.subdistrict_code,
    )
    loan = await service.approve(
        session, settings.loan_caps_satang, body, settings.revolving_fund_programmes, principal
    )
    audit_resource(request, "loans", loan.id)
    return LoanPublic.of(loan)


@router.get("", response_model=LoansPublic, responses=problem_responses({422: "Bad filter"}))
async def list_loans(
    session: SessionDep,
    principal: Reader,
    borrower_id: uuid.UUID | None = None,
    programme: Programme | None = None,
    status_: Annotated[LoanStatus | None, Query(alias="status")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> LoansPublic:
    where = service.LoanFilter(borrower_id=borrower_id, programme=programme, status=status_)
    found = await service.page(session, principal, where, Paging(decode_cursor(cursor), limit))
    return LoansPublic(
        items=[LoanPublic.of(loan) for loan in found.items],
        next_cursor=encode_cursor(found.last) if found.last else None,
    )


@router.post(
    "/arrears-review",
    response_model=ArrearsReview,
    responses=problem_responses({422: "Bad date"}),
)
@idempotent
async def review_arrears(
    session: SessionDep, principal: Writer, as_of: AsOf = None
) -> ArrearsReview:
    """Every loan in arrears (1-30, 31-60, 61-90, over-90 days past due) in the client's
    areas; publishes ``loan.in_arrears`` for each loan whose bucket changed since the
    last review. A client bound to areas reviews (lists and marks) only its areas'
    loans; a national client reviews every loan."""
    day = as_of or thai_today()
    found = await service.review_arrears(session, day, principal)
    return ArrearsReview(
        as_of=day,
        in_arrears=[
            LoanArrears(loan=LoanPublic.of(loan), arrears=state, reported=reported)
            for loan, state, reported in found
        ],
    )


@router.get(
    "/{loan_id}", response_model=LoanDetail, responses=problem_responses({404: "No such loan"})
)
async def get_loan(
    loan_id: uuid.UUID, session: SessionDep, principal: Reader, as_of: AsOf = None
) -> LoanDetail:
    """The loan, its schedule with what is paid, its repayments and its arrears."""
    loan = await _covered_loan(session, principal, loan_id, for_update=False)
    every = await service.instalments(session, loan.id)
    return LoanDetail(
        **LoanPublic.of(loan).model_dump(),
        schedule_version=loan.schedule_version,
        arrears=await service.arrears(session, loan, as_of or thai_today()),
        schedule=[
            InstalmentPublic.of(i) for i in every if i.schedule_version == loan.schedule_version
        ],
        repayments=[RepaymentPublic.of(r) for r in await service.repayments(session, loan.id)],
        reschedulings=[
            ReschedulingPublic.of(r) for r in await service.reschedulings(session, loan.id)
        ],
        earlier_schedules=[
            InstalmentPublic.of(i) for i in every if i.schedule_version < loan.schedule_version
        ],
    )


@router.post(
    "/{loan_id}/reschedule",
    response_model=LoanPublic,
    responses=problem_responses(
        {404: "No such loan", 409: "The loan is not being repaid", 422: "Invalid input"}
    ),
)
@idempotent
async def reschedule_loan(
    loan_id: uuid.UUID, body: LoanReschedule, session: SessionDep, principal: Writer
) -> LoanPublic:
    """Put new terms in force for what is still owed, e.g. after a disaster; the old
    schedule and what was paid on it stay readable under ``earlier_schedules``."""
    await _covered_loan(session, principal, loan_id)
    return LoanPublic.of(await service.reschedule(session, loan_id, body))


@router.post(
    "/{loan_id}/disburse",
    response_model=LoanPublic,
    responses=problem_responses(
        {
            404: "No such loan",
            409: "Already disbursed, the fund holds too little, or the loan names a fund "
            "that does not serve its area",
            422: "Invalid input",
        }
    ),
)
@idempotent
async def disburse_loan(
    loan_id: uuid.UUID, body: LoanDisburse, session: SessionDep, principal: Disburser
) -> LoanPublic:
    await _covered_loan(session, principal, loan_id)
    return LoanPublic.of(await service.disburse(session, loan_id, body))


@router.post(
    "/{loan_id}/repayments",
    response_model=RepaymentPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        {
            404: "No such loan",
            409: "The loan takes no repayments, or the reference belongs to another loan "
            "(outside the client's areas: only that it is taken, and who can resolve it)",
            422: "Invalid input, or more than is owed (overpayments are refused)",
        }
    ),
)
@idempotent
async def repay_loan(
    loan_id: uuid.UUID,
    body: RepaymentCreate,
    session: SessionDep,
    response: Response,
    principal: Disburser,
) -> RepaymentPublic:
    """Apply a payment to interest, then principal, oldest instalment first. The same
    payment reference again answers 200 with the first result and books nothing."""
    await _covered_loan(session, principal, loan_id)
    repayment, new = await service.repay(session, loan_id, body, principal)
    if not new:
        response.status_code = status.HTTP_200_OK
    return RepaymentPublic.of(repayment)


@router.post(
    "/{loan_id}/repayments/{repayment_id}/reversal",
    response_model=RepaymentPublic,
    responses=problem_responses(
        {
            404: "No such loan, or no such repayment on it",
            409: "Already reversed, made on a replaced schedule, or the fund lent it on",
            422: "Invalid input",
        }
    ),
)
@idempotent
async def reverse_repayment(
    loan_id: uuid.UUID,
    repayment_id: uuid.UUID,
    body: RepaymentReversal,
    session: SessionDep,
    principal: Disburser,
) -> RepaymentPublic:
    """Reverse a bounced or mistaken payment: a reversing ledger entry, what it paid owed
    again (arrears follow), the payment kept in the history marked reversed. Once only."""
    await _covered_loan(session, principal, loan_id)
    return RepaymentPublic.of(
        await service.reverse_repayment(
            session, loan_id, repayment_id, body.reason, today=thai_today()
        )
    )
