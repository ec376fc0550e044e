"""The export of the record of member development (PLAT-03 round trip): one workbook with
the sheets 发展党员人员, 发展环节, 培养联系人 and 入党介绍人 in their import columns, so that
it re-imports as it is (the import replays the four sheets together, in date order).

Rows are read as `values_list` in chunks with the orgs' and members' codes joined (no
query per row) and streamed. ID numbers are the stored masked ones, or, in an unmasked
export, decrypted — once per person, the rows of a person being consecutive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet

from xianfeng.lib.cipher import get_cipher

from .importers_columns import flag_text
from .models import Introducer, Mentor, Person, Stage, Step, StepKind

CHUNK = 5000


def _label(choices: Any) -> Callable[[Any], str]:
    labels = {code: str(label) for code, label in choices}
    return lambda value: labels.get(value, "") if value else ""


class _Numbers:
    """A person's ID number as the export shows it: masked, or decrypted once per person."""

    def __init__(self, unmasked: bool):
        self.unmasked = unmasked
        self.last: tuple[Any, str] = (None, "")
        self.decrypt = get_cipher().decrypt if unmasked else None

    def __call__(self, person: Any, masked: str, cipher: str) -> str:
        if self.decrypt is None:
            return masked
        if self.last[0] != person:
            self.last = (person, self.decrypt(cipher))
        return self.last[1]


def people(orgs: QuerySet[Any]) -> QuerySet[Person]:
    return Person.objects.filter(org__in=orgs)


PERSON_FIELDS = (
    "pk",
    "org__code",
    "name",
    "id_number_masked",
    "id_number_cipher",
    "gender",
    "birth_date",
    "education",
    "occupation",
    "sector",
    "phone",
    "applied_on",
    "volunteer_book_no",
    "talent_id",
    "stage",
)


def people_rows(orgs: QuerySet[Any], *, unmasked: bool) -> Iterator[dict[str, Any]]:
    number = _Numbers(unmasked)
    gender = _label(Person._meta.get_field("gender").choices)
    education = _label(Person._meta.get_field("education").choices)
    sector = _label(Person._meta.get_field("sector").choices)
    stage = _label(Stage.choices)
    rows = people(orgs).order_by("org__path", "applied_on", "pk").values_list(*PERSON_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        v = dict(zip(PERSON_FIELDS, row, strict=True))
        yield {
            "org": v["org__code"],
            "name": v["name"],
            "id_number": number(v["pk"], v["id_number_masked"], v["id_number_cipher"]),
            "gender": gender(v["gender"]),
            "birth_date": v["birth_date"],
            "education": education(v["education"]),
            "occupation": v["occupation"],
            "sector": sector(v["sector"]),
            "phone": v["phone"],
            "applied_on": v["applied_on"],
            "volunteer_book_no": v["volunteer_book_no"],
            "talent": flag_text(v["talent_id"]),
            "stage": stage(v["stage"]),
        }


STEP_FIELDS = (
    "person_id",
    "person__name",
    "person__id_number_masked",
    "person__id_number_cipher",
    "kind",
    "on",
    "org__code",
    "decided_by",
    "conclusion",
    "ends_on",
    "voters",
    "present",
    "in_favour",
    "days",
    "hours",
    "months",
    "special",
    "to_org__code",
    "entered_by__username",
    "training_class__org__code",
    "training_class__title",
    "training_class__starts_on",
)
_PLAIN = ("decided_by", "conclusion", "ends_on", "voters", "present", "in_favour")


def _of_people(model: Any, orgs: QuerySet[Any], *order: str) -> QuerySet[Any]:
    return model.objects.filter(person__org__in=orgs).order_by(
        "person__org__path", "person__applied_on", "person_id", *order, "pk"
    )


def step_rows(orgs: QuerySet[Any], *, unmasked: bool) -> Iterator[dict[str, Any]]:
    number = _Numbers(unmasked)
    kind = _label(StepKind.choices)
    rows = _of_people(Step, orgs, "on").values_list(*STEP_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        v = dict(zip(STEP_FIELDS, row, strict=True))
        record = {
            "person": number(
                v["person_id"], v["person__id_number_masked"], v["person__id_number_cipher"]
            ),
            "person_name": v["person__name"],
            "kind": kind(v["kind"]),
            "on": v["on"],
            "org": v["org__code"],
            "days": v["days"],
            "hours": v["hours"],
            "months": v["months"],
            "special": flag_text(v["special"]),
            "to_org": v["to_org__code"] or "",
            "entered_by": v["entered_by__username"] or "",
            "class_org": v["training_class__org__code"] or "",
            "class_title": v["training_class__title"] or "",
            "class_starts": v["training_class__starts_on"],
        }
        record.update({name: v[name] for name in _PLAIN})
        yield record


MENTOR_FIELDS = (
    "person_id",
    "person__name",
    "person__id_number_masked",
    "person__id_number_cipher",
    "member__code",
    "member__name",
    "started_on",
    "ended_on",
)


def mentor_rows(orgs: QuerySet[Any], *, unmasked: bool) -> Iterator[dict[str, Any]]:
    number = _Numbers(unmasked)
    rows = _of_people(Mentor, orgs, "started_on").values_list(*MENTOR_FIELDS)
    for person, name, masked, cipher, code, member, started, ended in rows.iterator(
        chunk_size=CHUNK
    ):
        yield {
            "person": number(person, masked, cipher),
            "person_name": name,
            "member": code,
            "member_name": member,
            "started_on": started,
            "ended_on": ended,
        }


INTRODUCER_FIELDS = (
    "person_id",
    "person__name",
    "person__id_number_masked",
    "person__id_number_cipher",
    "member__code",
    "member__name",
    "chosen_on",
)


def introducer_rows(orgs: QuerySet[Any], *, unmasked: bool) -> Iterator[dict[str, Any]]:
    number = _Numbers(unmasked)
    rows = _of_people(Introducer, orgs, "chosen_on").values_list(*INTRODUCER_FIELDS)
    for person, name, masked, cipher, code, member, chosen in rows.iterator(chunk_size=CHUNK):
        yield {
            "person": number(person, masked, cipher),
            "person_name": name,
            "member": code,
            "member_name": member,
            "chosen_on": chosen,
        }
