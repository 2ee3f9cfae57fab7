"""/v1/ledger: read-only views of the ledger. Entries are posted by finance's own rules only."""

from fastapi import APIRouter

from baan_shared.errors import Forbidden, field_error
from baan_shared.http.deps import SessionDep
from baan_shared.http.errors import problem_responses
from finance.access import Reader
from finance.ledger import service
from finance.ledger.schemas import TrialBalance

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])


@router.get(
    "/trial-balance",
    response_model=TrialBalance,
    responses=problem_responses(
        {403: "The client is bound to areas: the trial balance is for national clients only"}
    ),
)
async def get_trial_balance(session: SessionDep, principal: Reader) -> TrialBalance:
    """Debits and credits per account (งบทดลอง); total debits always equal total credits.

    **National clients only.** The ledger is kept nationally: cash, budget
    appropriations and the receivables are single accounts and a journal line
    does not record the area it belongs to, so a trial balance over one province
    cannot be computed, and the national totals are not a province's to see. A
    client bound to areas gets 403; its auditor reconciles the province through
    the records that carry it: budgets (allocated = reserved + disbursed + free),
    grants, loans and revolving funds (in − out = balance), each filtered to the
    client's areas.
    """
    if not principal.all_areas:
        raise Forbidden(
            f"client {principal.client_id!r} is bound to areas; the trial balance covers "
            "the whole country and is for national clients only",
            errors=[
                field_error(
                    "header.Authorization",
                    "the trial balance is national: the token must cover every "
                    "area (baan_areas '*')",
                    "national-only",
                )
            ],
        )
    return await service.trial_balance(session)
