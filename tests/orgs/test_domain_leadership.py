"""ORG-04 writes: recording elections and approving a term extension."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_org
from xianfeng.lib.dates import today
from xianfeng.orgs.domain import approve_term_extension, dissolve_org, record_election

pytestmark = pytest.mark.django_db
D = dt.date


def _branch(**fields):
    root = make_org(None, kind="party_committee", level="county", sector="")
    return make_org(root, kind="branch", sector="soe", **fields)


def _message(error: ValidationError) -> str:
    return " ".join(m for messages in error.message_dict.values() for m in messages)


def test_org_04_record_election_saves_a_term_with_history():
    branch = _branch()
    term = record_election(org=branch, elected_on=D(2024, 3, 1), years=5, note=" 第八届 ")
    assert (term.org, term.elected_on, term.years, term.note) == (
        branch,
        D(2024, 3, 1),
        5,
        "第八届",
    )
    assert term.history.count() == 1


REFUSED = [
    # (case, org fields, kind, elected_on, years, message fragment)
    ("in the future", {}, "branch", "tomorrow", 0, "不能晚于今天"),
    (
        "before the org was founded",
        {"founded_on": D(2020, 1, 1)},
        "branch",
        D(2019, 12, 31),
        0,
        "早于组织成立日期",
    ),
    (
        "a party group has no elected leadership",
        {},
        "party_group",
        D(2024, 1, 1),
        0,
        "党小组不设选举产生的班子",
    ),
    (
        "a working committee is appointed",
        {},
        "working_committee",
        D(2024, 1, 1),
        0,
        "工委不设选举产生的班子",
    ),
    ("more than 10 years", {}, "branch", D(2024, 1, 1), 11, "10"),
]


@pytest.mark.parametrize(
    ("case", "fields", "kind", "elected_on", "years", "fragment"),
    REFUSED,
    ids=[c[0] for c in REFUSED],
)
def test_org_04_record_election_refused(case, fields, kind, elected_on, years, fragment):
    root = make_org(None, kind="party_committee", level="county", sector="")
    parent = make_org(root, kind="branch") if kind == "party_group" else root
    if kind == "working_committee":
        parent = None
    org = make_org(parent, kind=kind, **fields)
    day = today() + dt.timedelta(days=1) if elected_on == "tomorrow" else elected_on
    with pytest.raises(ValidationError) as error:
        record_election(org=org, elected_on=day, years=years)
    assert fragment in _message(error.value)


def test_org_04_record_election_refused_twice_a_day_and_after_dissolution():
    branch = _branch()
    record_election(org=branch, elected_on=D(2024, 3, 1))
    with pytest.raises(ValidationError, match="已登记过"):
        record_election(org=branch, elected_on=D(2024, 3, 1))
    dissolve_org(org=branch, on=D(2025, 1, 1))
    with pytest.raises(ValidationError, match="已撤销"):
        record_election(org=branch, elected_on=D(2025, 1, 1))


EXTENSIONS = [
    # (case, until, refusal fragment or None) — elected 2022-03-10, 3 years: ends 2025-03-10
    ("one day", D(2025, 3, 11), None),
    ("exactly one year", D(2026, 3, 10), None),
    ("one year and one day", D(2026, 3, 11), "延期不得超过12个月"),
    ("not after the end", D(2025, 3, 10), "应晚于本届届满日 2025-03-10"),
]


@pytest.mark.parametrize(("case", "until", "refused"), EXTENSIONS, ids=[e[0] for e in EXTENSIONS])
def test_org_04_term_extension_at_most_one_year(case, until, refused):
    term = record_election(org=_branch(), elected_on=D(2022, 3, 10))
    if refused is None:
        approve_term_extension(term=term, until=until)
        term.refresh_from_db()
        assert term.approved_extension_until == until
        return
    with pytest.raises(ValidationError) as error:
        approve_term_extension(term=term, until=until)
    assert refused in _message(error.value)


def test_org_04_term_extension_refusal_quotes_the_rule():
    term = record_election(org=_branch(), elected_on=D(2022, 3, 10))
    with pytest.raises(ValidationError) as error:
        approve_term_extension(term=term, until=D(2026, 6, 1))
    assert _message(error.value) == (
        "延期不得超过12个月（《中国共产党基层组织选举工作条例》（2020）第三条：如需延期或者提前"
        "进行换届选举，应当报上级党组织批准。延长或者提前期限一般不超过1年）："
        "本届任期于2025-03-10届满，最迟可延期至2026-03-10"
    )


def test_org_04_term_extension_uses_the_term_length_voted():
    term = record_election(org=_branch(), elected_on=D(2022, 3, 10), years=5)
    approve_term_extension(term=term, until=D(2028, 3, 10))
    with pytest.raises(ValidationError):
        approve_term_extension(term=term, until=D(2027, 3, 10))


def test_org_04_term_extension_refused_after_a_later_election():
    branch = _branch()
    term = record_election(org=branch, elected_on=D(2022, 3, 10))
    record_election(org=branch, elected_on=D(2025, 3, 1))
    with pytest.raises(ValidationError, match="已进行换届选举"):
        approve_term_extension(term=term, until=D(2025, 6, 1))
