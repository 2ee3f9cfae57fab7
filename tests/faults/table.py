"""The fault table: one row per fault, printed and written at the end of the run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FaultRow:
    fault: str
    in_flight: int
    lost: int
    duplicated: int
    recovered_in: float | None  # seconds; None if it never did within the bound
    notes: str = ""


ROWS: list[FaultRow] = []


def fault_table(rows: list[FaultRow], profile_name: str) -> str:
    lines = [
        f"Fault suite, profile {profile_name!r}",
        "",
        "| fault | events in flight | lost | duplicated | time to recover | notes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        recovered = "not recovered" if row.recovered_in is None else f"{row.recovered_in:.1f} s"
        lines.append(
            f"| {row.fault} | {row.in_flight} | {row.lost} | {row.duplicated} | {recovered} "
            f"| {row.notes} |"
        )
    return "\n".join(lines)
