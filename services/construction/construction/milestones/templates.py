"""Milestone templates: which milestones a house passes, in order, and how far along each is.

A template belongs to a work type, optionally narrowed to a programme (emergency
shelters are built in fewer steps). ``percent`` is how far along the whole house
is once the milestone is reached, so it rises along the template and the last
milestone, the committee's inspection (ตรวจรับ), is 100. Templates are code, not
data: house works pick theirs by (programme, work type) when asked, so a change
here applies to houses already under way and must only add or rename with care.
Plain functions: tests need no database.
"""

from dataclasses import dataclass

from baan_shared.http.errors import Conflict, Unprocessable
from baan_shared.reference import Programme
from construction.house_works.models import WorkType

INSPECTED = "inspected"


@dataclass(frozen=True)
class Milestone:
    code: str
    percent: int
    label_th: str


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
        Milestone("materials_delivered", 30, "ส่งวัสดุ"),
        Milestone("repaired", 80, "ซ่อมเสร็จ"),
        Milestone(INSPECTED, 100, "ตรวจรับ"),
    ),
)

BUILD = (
    Milestone("foundation", 20, "ฐานราก"),
    Milestone("structure", 50, "โครงสร้าง"),
    Milestone("roof", 70, "หลังคา"),
    Milestone("walls", 85, "ผนัง"),
    Milestone("finishing", 95, "งานตกแต่ง"),
    Milestone(INSPECTED, 100, "ตรวจรับ"),
)
NEW_BUILD = Template("new_build", BUILD)
REBUILD = Template("rebuild", (Milestone("demolished", 10, "รื้อถอนหลังเดิม"), *BUILD))
RELOCATION = Template("relocation", (Milestone("site_prepared", 10, "ปรับพื้นที่"), *BUILD))
EMERGENCY_SHELTER = Template(
    "emergency_shelter",
    (
        Milestone("materials_delivered", 30, "ส่งวัสดุ"),
        Milestone("structure", 60, "โครงสร้าง"),
        Milestone("roof", 90, "หลังคา"),
        Milestone(INSPECTED, 100, "ตรวจรับ"),
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


def template_for(programme: Programme, work_type: WorkType) -> Template:
    return BY_PROGRAMME.get((programme, work_type), BY_WORK_TYPE[work_type])


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
                {
                    "field": "body.milestone",
                    "reason": "must be one of " + ", ".join(template.codes()),
                    "code": "unknown_milestone",
                }
            ],
            milestones=template.codes(),
        )
    milestone = template.milestones[index]
    if percent is not None and percent != milestone.percent:
        raise Unprocessable(
            f"{reported} stands for {milestone.percent}% in the {template.name} template",
            errors=[
                {
                    "field": "body.percent",
                    "reason": f"must be {milestone.percent} for {reported} (or left out)",
                    "code": "milestone_percent",
                }
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
