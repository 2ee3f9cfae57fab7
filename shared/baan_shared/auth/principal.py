"""Who is calling: the client a validated token names, its scopes and its areas."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from baan_shared.auth.scopes import ADMIN

ALL_AREAS = "*"


def _is_area_code(code: str) -> bool:
    return code.isdigit() and len(code) in (2, 4, 6)


@dataclass(frozen=True)
class Principal:
    """An authenticated partner client.

    ``areas`` are official codes: a province (2 digits), a district (4, starting
    with its province's 2) or a sub-district (6, starting with its district's 4).
    ``all_areas`` is for national clients (``*`` in the areas claim) and ``admin``.
    """

    client_id: str
    subject: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    areas: frozenset[str] = field(default_factory=frozenset)
    all_areas: bool = False

    @classmethod
    def of(
        cls,
        client_id: str,
        *,
        scopes: Iterable[str] = (),
        areas: Iterable[str] = (),
        subject: str | None = None,
    ) -> "Principal":
        scope_set = frozenset(scopes)
        area_set = frozenset(areas)
        bad = sorted(a for a in area_set if a != ALL_AREAS and not _is_area_code(a))
        if bad:
            raise ValueError(f"not area codes (2, 4 or 6 digits): {bad}")
        national = ALL_AREAS in area_set or ADMIN in scope_set
        return cls(
            client_id=client_id,
            subject=subject,
            scopes=scope_set,
            areas=area_set - {ALL_AREAS},
            all_areas=national,
        )

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def missing(self, scopes: Iterable[str]) -> list[str]:
        return [s for s in scopes if s not in self.scopes]

    def covers(
        self,
        province: str | None,
        district: str | None = None,
        subdistrict: str | None = None,
    ) -> bool:
        """Whether a record placed at these codes is in one of the client's areas.

        A record is only as precise as its codes: a district-bound client does
        not see a record that names its province but no district.
        """
        if self.all_areas:
            return True
        district = district or (subdistrict[:4] if subdistrict else None)
        for area in self.areas:
            if len(area) == 2 and area == province:
                return True
            if len(area) == 4 and area == district:
                return True
            if len(area) == 6 and area == subdistrict:
                return True
        return False
