"""What the recruitment rule tests share: people, steps and mentors built directly with
the models (not through the pipeline's domain: the rules judge whatever is recorded), and
the findings of one rule over the tree with every evidence key labelled."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from xianfeng.compliance.engine import evaluate
from xianfeng.compliance.evidence import evidence_sentence, labels
from xianfeng.compliance.policy import parse_value
from xianfeng.lib.dates import parse_period
from xianfeng.orgs.models import Org
from xianfeng.recruitment.models import Person, Stage, Step

D = dt.date


def person(org: Org, *, applied: dt.date, **dates: Any) -> Person:
    """A person of `org` with the stage its dates give: activist, candidate, admitted,
    approved, probation_ends, full, ended (each a date or None); talent=entry."""
    fields = {
        "activist_on": dates.get("activist"),
        "candidate_on": dates.get("candidate"),
        "admitted_on": dates.get("admitted"),
        "approved_on": dates.get("approved"),
        "probation_ends_on": dates.get("probation_ends"),
        "full_on": dates.get("full"),
        "ended_on": dates.get("ended"),
    }
    stage, since = Stage.APPLICANT, applied
    for key, value in [
        ("activist_on", Stage.ACTIVIST),
        ("candidate_on", Stage.ADMISSION_CANDIDATE),
        ("approved_on", Stage.PROBATIONARY),
        ("full_on", Stage.FULL),
        ("ended_on", Stage.ENDED),
    ]:
        if fields[key] is not None:
            stage, since = value, fields[key]
    return Person.objects.create(
        org=org,
        name=dates.get("name", "赵六"),
        gender="1",
        birth_date=D(1995, 5, 5),
        id_number_cipher="x",
        id_number_hmac=uuid.uuid4().hex,
        id_number_masked="320602********0011",
        stage=stage,
        stage_since=since,
        applied_on=applied,
        talent=dates.get("talent"),
        **fields,
    )


def step(who: Person, kind: str, on: dt.date, **fields: Any) -> Step:
    return Step.objects.create(
        person=who, kind=kind, on=on, org=fields.pop("org", who.org), **fields
    )


def reports(who: Person, *days: dt.date) -> None:
    for day in days:
        step(who, "thought_report", day)


def found(
    rule: str, period: str, as_of: dt.date, overrides: dict[str, str] | None = None, roots=None
) -> list[tuple[str, Any]]:
    """(org code, Found) of `rule` over every root, sorted by code; each evidence key has
    a label and the evidence reads as one sentence."""
    over = {key: parse_value(key, text) for key, text in (overrides or {}).items()}
    pairs, _orgs = evaluate(
        roots=roots or list(Org.objects.filter(depth=1)),
        period=parse_period(period),
        as_of=as_of,
        rule_ids=[rule],
        overrides=over,
    )
    codes = dict(Org.objects.values_list("pk", "code"))
    rows = []
    table = labels()
    for found_rule, f in pairs:
        if found_rule is None:
            continue
        assert not [key for key in f.evidence if key not in table], (rule, f.evidence)
        assert evidence_sentence(f.evidence)
        rows.append((codes[f.org_id], f))
    return sorted(rows, key=lambda row: row[0])
