"""The rows of the talent pool, the cultivations with their entries and the yearly targets
in their import sheets' columns (PLAT-03 round trip), read as `values_list` in chunks with
the orgs' and members' codes joined (no query per row). A talent's ID number is the
stored masked one or, in an unmasked export, decrypted; a track (b) cultivation names its
talent by that number (or, without one, by name)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet

from xianfeng.lib.cipher import get_cipher

from .importers_columns import tags_text
from .models import (
    Cultivation,
    CultivationEntry,
    CultivationStatus,
    EntryKind,
    TalentEntry,
    TalentKind,
    TalentStatus,
    Target,
    TargetKind,
    Track,
)

CHUNK = 5000


def _label(choices: Any) -> Callable[[Any], str]:
    labels = {code: str(label) for code, label in choices}
    return lambda value: labels.get(value, "") if value else ""


def _number(unmasked: bool) -> Callable[[str, str], str]:
    if not unmasked:
        return lambda masked, _cipher: masked or ""
    decrypt = get_cipher().decrypt
    return lambda masked, cipher: decrypt(cipher) if cipher else ""


def talent_entries(orgs: QuerySet[Any]) -> QuerySet[TalentEntry]:
    return TalentEntry.objects.filter(org__in=orgs)


TALENT_FIELDS = (
    "org__code",
    "name",
    "id_number_masked",
    "id_number_cipher",
    "gender",
    "birth_date",
    "phone",
    "kind",
    "tags",
    "occupation",
    "sector",
    "surveyed_on",
    "status",
    "note",
)


def talent_rows(orgs: QuerySet[Any], *, unmasked: bool) -> Iterator[dict[str, Any]]:
    number = _number(unmasked)
    gender = _label(TalentEntry._meta.get_field("gender").choices)
    sector = _label(TalentEntry._meta.get_field("sector").choices)
    kind, status = _label(TalentKind.choices), _label(TalentStatus.choices)
    rows = talent_entries(orgs).order_by("org__path", "surveyed_on", "pk")
    for row in rows.values_list(*TALENT_FIELDS).iterator(chunk_size=CHUNK):
        v = dict(zip(TALENT_FIELDS, row, strict=True))
        yield {
            "org": v["org__code"],
            "name": v["name"],
            "id_number": number(v["id_number_masked"], v["id_number_cipher"]),
            "gender": gender(v["gender"]),
            "birth_date": v["birth_date"],
            "phone": v["phone"],
            "kind": kind(v["kind"]),
            "tags": tags_text(v["tags"]),
            "occupation": v["occupation"],
            "sector": sector(v["sector"]),
            "surveyed_on": v["surveyed_on"],
            "status": status(v["status"]),
            "note": v["note"],
        }


def cultivations(orgs: QuerySet[Any]) -> QuerySet[Cultivation]:
    return Cultivation.objects.filter(org__in=orgs)


_SUBJECT = (
    "member__code",
    "member__name",
    "talent__name",
    "talent__id_number_masked",
    "talent__id_number_cipher",
)


def _subject(v: dict[str, Any], number: Callable[[str, str], str]) -> tuple[str, str]:
    if v["member__code"]:
        return v["member__code"], v["member__name"]
    shown = number(v["talent__id_number_masked"], v["talent__id_number_cipher"])
    return shown or v["talent__name"], v["talent__name"]


CULTIVATION_FIELDS = (
    "org__code",
    "track",
    *_SUBJECT,
    "pair__code",
    "pair__name",
    "goal",
    "started_on",
    "status",
    "status_since",
    "note",
)


def cultivation_rows(orgs: QuerySet[Any], *, unmasked: bool) -> Iterator[dict[str, Any]]:
    number = _number(unmasked)
    track, status = _label(Track.choices), _label(CultivationStatus.choices)
    rows = cultivations(orgs).order_by("org__path", "track", "started_on", "pk")
    for row in rows.values_list(*CULTIVATION_FIELDS).iterator(chunk_size=CHUNK):
        v = dict(zip(CULTIVATION_FIELDS, row, strict=True))
        subject, name = _subject(v, number)
        active = v["status"] == CultivationStatus.ACTIVE
        yield {
            "org": v["org__code"],
            "track": track(v["track"]),
            "subject": subject,
            "subject_name": name,
            "pair": v["pair__code"] or "",
            "pair_name": v["pair__name"] or "",
            "goal": v["goal"],
            "started_on": v["started_on"],
            "status": status(v["status"]),
            "status_since": None if active else v["status_since"],
            "note": v["note"],
        }


ENTRY_FIELDS = (
    "cultivation__org__code",
    "cultivation__track",
    *(f"cultivation__{name}" for name in _SUBJECT),
    "cultivation__started_on",
    "on",
    "kind",
    "title",
    "hours",
    "note",
    "entered_by__username",
    "training_class__org__code",
    "training_class__title",
    "training_class__starts_on",
)


def entries(orgs: QuerySet[Any]) -> QuerySet[CultivationEntry]:
    return CultivationEntry.objects.filter(cultivation__org__in=orgs)


def entry_rows(orgs: QuerySet[Any], *, unmasked: bool) -> Iterator[dict[str, Any]]:
    number = _number(unmasked)
    track, kind = _label(Track.choices), _label(EntryKind.choices)
    order = ("cultivation__org__path", "cultivation__started_on", "cultivation_id", "on", "pk")
    rows = entries(orgs).order_by(*order).values_list(*ENTRY_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        v = {
            key.removeprefix("cultivation__"): value
            for key, value in zip(ENTRY_FIELDS, row, strict=True)
        }
        subject, name = _subject(v, number)
        yield {
            "org": v["org__code"],
            "track": track(v["track"]),
            "subject": subject,
            "subject_name": name,
            "started_on": v["started_on"],
            "on": v["on"],
            "kind": kind(v["kind"]),
            "title": v["title"],
            "hours": v["hours"],
            "note": v["note"],
            "entered_by": v["entered_by__username"] or "",
            "class_org": v["training_class__org__code"] or "",
            "class_title": v["training_class__title"] or "",
            "class_starts": v["training_class__starts_on"],
        }


def targets(orgs: QuerySet[Any]) -> QuerySet[Target]:
    return Target.objects.filter(org__in=orgs)


def target_rows(orgs: QuerySet[Any], *, unmasked: bool = False) -> Iterator[dict[str, Any]]:
    kind = _label(TargetKind.choices)
    fields = ("org__code", "year", "kind", "value", "set_by__code", "note")
    rows = targets(orgs).order_by("year", "org__path", "kind").values_list(*fields)
    for org, year, what, value, setter, note in rows.iterator(chunk_size=CHUNK):
        yield {
            "org": org,
            "year": year,
            "kind": kind(what),
            "value": value,
            "set_by": setter,
            "note": note,
        }
