"""Personal data in responses: national IDs and phone numbers are masked
unless the caller holds ``pii:read``, and every unmasked read is audited."""

from collections.abc import Iterable

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from baan_shared.auth.principal import Principal
from baan_shared.auth.scopes import PII_READ

MASK = "x"


def mask_national_id(national_id: str) -> str:
    """``3100500000011`` → ``3-1005-xxxxx-xx-1``.

    Keeps the person category (first digit), the registering office's code
    (digits 2-5, where the ID was issued) and the check digit: enough for a clerk
    to match a card in hand against the record, not enough to find the person.
    Anything that is not 13 digits is masked whole.
    """
    digits = "".join(c for c in national_id if c.isdigit())
    if len(digits) != 13:
        return MASK * len(national_id)
    return f"{digits[0]}-{digits[1:5]}-{MASK * 5}-{MASK * 2}-{digits[12]}"


def mask_phone(phone: str) -> str:
    """``081-234-5678`` → ``xxx-xxx-5678``: only the last four digits stay."""
    total = sum(c.isdigit() for c in phone)
    keep_from = total - 4
    seen = 0
    masked = []
    for char in phone:
        if char.isdigit():
            masked.append(char if seen >= keep_from else MASK)
            seen += 1
        else:
            masked.append(char)
    return "".join(masked)


def national_id_for(principal: Principal, national_id: str) -> str:
    return national_id if principal.has(PII_READ) else mask_national_id(national_id)


def phone_for(principal: Principal, phone: str | None) -> str | None:
    if phone is None:
        return None
    return phone if principal.has(PII_READ) else mask_phone(phone)


async def reveals_personal_data(
    session: AsyncSession,
    request: Request,
    principal: Principal,
    *,
    resource_type: str,
    resource_ids: Iterable[object],
) -> bool:
    """Whether this response may carry unmasked personal data; if so, audit the
    read of each record in the request's transaction.

    ``reveal = await reveals_personal_data(session, request, principal,
    resource_type="household", resource_ids=[h.id for h in page])``
    """
    from baan_shared.auth.audit.writer import record_pii_reads

    if not principal.has(PII_READ):
        return False
    await record_pii_reads(
        session, request, principal, resource_type=resource_type, resource_ids=resource_ids
    )
    return True
