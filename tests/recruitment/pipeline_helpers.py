"""People of the recruitment pipeline for the pages', API's, PDF's and matrices' tests
(DEV-01, DEV-02), stored directly: these tests read records (the domain's own rules are
tried in tests/recruitment/test_steps_*.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.factories import make_id
from xianfeng.lib.cipher import get_cipher, lookup_hash
from xianfeng.lib.idcard import mask_id_number, parse_id_number
from xianfeng.orgs.models import Org
from xianfeng.recruitment.models import Mentor, Person, Step

D = dt.date
APPLIED = D(2023, 1, 10)


def make_person(
    org: Org,
    *,
    name: str = "赵小明",
    stage: str = "applicant",
    applied_on: dt.date = APPLIED,
    id_number: str | None = None,
    **fields: Any,
) -> Person:
    """A person of `org` at `stage` with the APPLICATION step (dates in `fields`)."""
    number = id_number or make_id(D(1995, 5, 5))
    identity = parse_id_number(number)
    person = Person.objects.create(
        org=org,
        name=name,
        gender=identity.gender,
        birth_date=identity.birth_date,
        id_number_cipher=get_cipher().encrypt(number),
        id_number_hmac=lookup_hash(number),
        id_number_masked=mask_id_number(number),
        stage=stage,
        stage_since=fields.pop("stage_since", applied_on),
        applied_on=applied_on,
        **fields,
    )
    Step.objects.create(person=person, kind="application", on=applied_on, org=org)
    return person


def make_activist(org: Org, *, mentor: Any = None, **fields: Any) -> Person:
    """An activist since 2023-03-01 (and a mentor since then when given)."""
    day = D(2023, 3, 1)
    person = make_person(org, stage="activist", activist_on=day, stage_since=day, **fields)
    Step.objects.create(person=person, kind="activist", on=day, org=org)
    if mentor is not None:
        Mentor.objects.create(person=person, member=mentor, started_on=day)
    return person
