"""Milestone templates: which milestones a house passes, in order, how far along each
is, and when in the planned period it should be reached.

A template belongs to a (programme, work type). The defaults below are code;
an agency administrator may replace one (``milestone-templates`` API, stored
in ``milestone_templates``). A house work copies its template when it is
planned, so a changed template applies to new house works only and a house's
reported milestones never change meaning under it.

``percent`` is how far along the whole house is once the milestone is reached,
so it rises along the template and the last milestone, the committee's
inspection (ตรวจรับ), is 100. ``schedule_percent`` is how far through the
planned period (project start to planned end) it should be reached; it never
falls and is 100 for the inspection, so the inspection is due on the planned end.
Plain functions: tests need no database.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from baan_shared.errors import Conflict, Unprocessable, field_error
from baan_shared.reference import Programme
from construction.house_works.models import WorkType

INSPECTED = "inspected"
CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


@dataclass(frozen=True)
class Milestone:
    code: str
    percent: int
    label_th: str
    schedule_percent: int


def step(code: str, percent: int, label_th: str, schedule_percent: int | None = None) -> Milestone:
    """A default milestone; it is due as far through the period as it is through the work."""
    return Milestone(
        code, percent, label_th, percent if schedule_percent is None else schedule_percent
    )


@dataclass(frozen=True)
class Template:
    name: str
    milestones: tuple[Milestone, ...]

    def codes(self) -> list[str]:
        return [m.code for m in self.milestones]

    def index(self, code: str) -> int | None:
        return next((i for i, m in enumerate(self.milestones) if m.code == code), None)


REPAIR = Template(
    "repair",
    (
        step("materials_delivered", 30, "ส่งวัสดุ"),
        step("repaired", 80, "ซ่อมเสร็จ"),
        step(INSPECTED, 100, "ตรวจรับ"),
    ),
)

BUILD = (
    step("foundation", 20, "ฐานราก"),
    step("structure", 50, "โครงสร้าง"),
    step("roof", 70, "หลังคา"),
    step("walls", 85, "ผนัง"),
    step("finishing", 95, "งานตกแต่ง"),
    step(INSPECTED, 100, "ตรวจรับ"),
)
NEW_BUILD = Template("new_build", BUILD)
REBUILD = Template("rebuild", (step("demolished", 10, "รื้อถอนหลังเดิม"), *BUILD))
RELOCATION = Template("relocation", (step("site_prepared", 10, "ปรับพื้นที่"), *BUILD))
EMERGENCY_SHELTER = Template(
    "emergency_shelter",
    (
        step("materials_delivered", 30, "ส่งวัสดุ"),
        step("structure", 60, "โครงสร้าง"),
        step("roof", 90, "หลังคา"),
        step(INSPECTED, 100, "ตรวจรับ"),
    ),
)

BY_WORK_TYPE: dict[WorkType, Template] = {
    WorkType.REPAIR: REPAIR,
    WorkType.REBUILD: REBUILD,
    WorkType.NEW_BUILD: NEW_BUILD,
    WorkType.RELOCATION: RELOCATION,
}
# Programme-specific templates win over the work type's; repairs stay repairs.
BY_PROGRAMME: dict[tuple[Programme, WorkType], Template] = {
    (Programme.EMERGENCY, work_type): EMERGENCY_SHELTER
    for work_type in (WorkType.REBUILD, WorkType.NEW_BUILD, WorkType.RELOCATION)
}

ALL: tuple[Template, ...] = (REPAIR, REBUILD, NEW_BUILD, RELOCATION, EMERGENCY_SHELTER)


def default_template(programme: Programme, work_type: WorkType) -> Template:
    return BY_PROGRAMME.get((programme, work_type), BY_WORK_TYPE[work_type])


def template_errors(milestones: Sequence[Milestone]) -> list[dict[str, Any]]:
    """Why ``milestones`` cannot be a template, one entry per field (empty if it can).

    In order: codes unique and well-formed; ``percent`` rising strictly to 100;
    ``schedule_percent`` never falling, ending at 100; the last milestone the
    inspection, and the inspection nowhere else.
    """
    errors: list[dict[str, Any]] = []

    def refuse(index: int | None, field: str, reason: str, code: str) -> None:
        path = "body.milestones" if index is None else f"body.milestones.{index}.{field}"
        errors.append(field_error(path, reason, code))

    if len(milestones) < 2:
        refuse(None, "", "needs at least one milestone before the inspection", "too_short")
    seen: set[str] = set()
    for index, milestone in enumerate(milestones):
        if not CODE.match(milestone.code):
            refuse(
                index, "code", "lower-case letters, digits and _, starting with a letter", "code"
            )
        if milestone.code in seen:
            refuse(index, "code", f"{milestone.code} appears more than once", "duplicate")
        seen.add(milestone.code)
        if milestone.code == INSPECTED and index != len(milestones) - 1:
            refuse(index, "code", "the inspection can only be the last milestone", "order")
        if not 1 <= milestone.percent <= 100:
            refuse(index, "percent", "must be between 1 and 100", "range")
        elif index and milestone.percent <= milestones[index - 1].percent:
            refuse(index, "percent", "must be above the previous milestone's", "order")
        if not 0 <= milestone.schedule_percent <= 100:
            refuse(index, "schedule_percent", "must be between 0 and 100", "range")
        elif index and milestone.schedule_percent < milestones[index - 1].schedule_percent:
            refuse(index, "schedule_percent", "must not be below the previous milestone's", "order")
        if not milestone.label_th.strip():
            refuse(index, "label_th", "must not be empty", "empty")
    if milestones:
        last = len(milestones) - 1
        if milestones[-1].code != INSPECTED:
            refuse(last, "code", f"the last milestone must be {INSPECTED}", "last")
        if milestones[-1].percent != 100:
            refuse(last, "percent", "the last milestone must be 100", "last")
        if milestones[-1].schedule_percent != 100:
            refuse(last, "schedule_percent", "the last milestone is due at 100", "last")
    return errors


def check_milestone(
    template: Template, last_reached: str | None, reported: str, percent: int | None
) -> Milestone:
    """The template's milestone named ``reported``, if it may be reported now.

    Milestones come in template order; one may be skipped (a site reports the
    roof and the walls together), but never reported twice or after a later one.
    The last one, the inspection, is reached only by the committee's sign-off.
    """
    index = template.index(reported)
    if index is None:
        raise Unprocessable(
            f"{reported!r} is not a milestone of the {template.name} template",
            errors=[
                field_error(
                    "body.milestone",
                    "must be one of " + ", ".join(template.codes()),
                    "unknown_milestone",
                )
            ],
            milestones=template.codes(),
        )
    milestone = template.milestones[index]
    if percent is not None and percent != milestone.percent:
        raise Unprocessable(
            f"{reported} stands for {milestone.percent}% in the {template.name} template",
            errors=[
                field_error(
                    "body.percent",
                    f"must be {milestone.percent} for {reported} (or left out)",
                    "milestone_percent",
                )
            ],
        )
    if reported == INSPECTED:
        raise Conflict(
            "the inspection is reached only by the committee's sign-off (POST .../complete)",
            reported_milestone=reported,
        )
    last = template.index(last_reached) if last_reached is not None else None
    if last is not None and index <= last:
        raise Conflict(
            f"milestone reported out of order: the house work has already reached {last_reached},"
            f" which comes at or after {reported} in the {template.name} template",
            last_milestone=last_reached,
            reported_milestone=reported,
        )
    return milestone
