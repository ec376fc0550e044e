"""PLAT-04: the resolver resolves each key once per set of policy layers (`OrgPolicy`),
and the cache never lets one org's answer leak to another: an org's own choice still wins
over the layer it shares, a deeper layer still wins below it, an override wins everywhere."""

from __future__ import annotations

import datetime as dt

import pytest

from xianfeng.compliance.policy import PREFERENCE_LAYER, Layer, Resolver

WEEKDAYS, MONTHS = "life.theme_day.weekdays", "org.vacancy.max_months"
CITY, TOWN = "0001", "00010001"
CHOOSER, SIBLING, OUTSIDER = "000100010001", "000100010002", "000100010003"
OTHER_TOWN, ELSEWHERE = "00010002", "0002"


def _entry(value, source):
    return {"value": value, "source": source, "unit": "", "note": ""}


def _resolver(overrides=None):
    layers = [
        Layer(TOWN, "town", {WEEKDAYS: _entry(["monday", "saturday"], "镇")}),
        Layer(CITY, "city", {MONTHS: _entry(9, "市"), WEEKDAYS: _entry(["monday"], "市")}),
        Layer("", "national", {MONTHS: _entry(6, "国"), WEEKDAYS: _entry([], "国")}),
    ]
    choices = {CHOOSER: {WEEKDAYS: ["saturday"]}, OUTSIDER: {WEEKDAYS: ["friday"]}}
    return Resolver(
        layers=layers, day=dt.date(2025, 6, 1), overrides=overrides or {}, preferences=choices
    )


SIBLING_TOWN = (SIBLING, WEEKDAYS, ["monday", "saturday"], "town")
OWN_CHOICE = (CHOOSER, WEEKDAYS, ["saturday"], PREFERENCE_LAYER)
# (what is looked up, in this order: path, key, expected value, expected policy)
CASES = {
    "own choice wins over the shared town layer, sibling first": [SIBLING_TOWN, OWN_CHOICE],
    "own choice wins over the shared town layer, chooser first": [
        OWN_CHOICE,
        SIBLING_TOWN,
        (TOWN, WEEKDAYS, ["monday", "saturday"], "town"),
    ],
    "a choice outside the policy falls back to it": [
        (OUTSIDER, WEEKDAYS, ["monday", "saturday"], "town"),
        OWN_CHOICE,
    ],
    "a key the org did not choose comes from its layers": [
        OWN_CHOICE,
        (CHOOSER, MONTHS, 9, "city"),
        (SIBLING, MONTHS, 9, "city"),
    ],
    "a deeper layer wins below it only": [
        (OTHER_TOWN, WEEKDAYS, ["monday"], "city"),
        SIBLING_TOWN,
        (CITY, WEEKDAYS, ["monday"], "city"),
        (ELSEWHERE, WEEKDAYS, [], "national"),
        (ELSEWHERE, MONTHS, 6, "national"),
    ],
}


@pytest.mark.parametrize("lookups", CASES.values(), ids=CASES.keys())
def test_plat_04_cached_entries_per_org(lookups):
    policy = _resolver()
    for path, key, value, layer in lookups:
        entry = policy.entry(key, path)
        assert (entry["value"], entry["policy"]) == (value, layer), (path, key)
        assert policy.at(path).value(key) == value
    for path, key, value, layer in lookups:  # again, from the cache
        assert (policy.entry(key, path)["value"], policy.entry(key, path)["policy"]) == (
            value,
            layer,
        )


def test_plat_04_orgs_under_the_same_layers_share_one_resolution():
    policy = _resolver()
    assert policy.at(SIBLING) is policy.at(TOWN) is policy.at(TOWN + "0009")
    assert policy.at(CHOOSER) is not policy.at(SIBLING)  # its own choices: its own
    assert policy.at(OTHER_TOWN) is not policy.at(SIBLING)  # other layers
    assert policy.at(OTHER_TOWN) is policy.at(CITY)
    first = policy.entry(MONTHS, SIBLING)
    assert policy.entry(MONTHS, TOWN + "0009") is first  # resolved once for the layer set
    assert policy.policy_entry(WEEKDAYS, CHOOSER)["policy"] == "town"  # policies alone


def test_plat_04_override_wins_over_layers_and_own_choices():
    override = {"value": ["sunday"], "source": "--policy-override", "policy": "--policy-override"}
    policy = _resolver({WEEKDAYS: override})
    for path in (CHOOSER, SIBLING, ELSEWHERE):
        assert policy.entry(WEEKDAYS, path)["value"] == ["sunday"]
    assert policy.value(MONTHS, CHOOSER) == 9
