"""/v1/ledger: read-only views of the ledger. Entries are posted by finance's own rules only."""

from fastapi import APIRouter

from baan_shared.http.deps import SessionDep
from finance.access import Reader
from finance.ledger import service
from finance.ledger.schemas import TrialBalance

router = APIRouter(prefix="/v1/ledger", tags=["ledger"])


@router.get("/trial-balance", response_model=TrialBalance)
async def get_trial_balance(session: SessionDep, principal: Reader) -> TrialBalance:
    """Debits and credits per account (งบทดลอง); total debits always equal total credits."""
    return await service.trial_balance(session)
