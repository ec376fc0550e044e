"""Bench floor queries of orgs (`xianfeng bench check`): the plain scan-and-group of the
tables its rules read, which the evaluation is measured against.

`FLOORS` maps a rule-ID prefix to the queries run when a chosen rule starts with it ("": every
time); settings.BENCH_FLOORS lists it.
"""

ORGS_SQL = "SELECT id, path, kind, level, sector FROM orgs_org"
# The other tables the ORG rules read, scanned and grouped the same plain way.
SEATS_SQL = """
SELECT org_id, role, COUNT(*) FROM orgs_seat
WHERE started_on <= %(day)s AND (ended_on IS NULL OR ended_on >= %(day)s)
GROUP BY org_id, role
"""
TERMS_SQL = (
    "SELECT org_id, MAX(elected_on) FROM orgs_term WHERE elected_on <= %(day)s GROUP BY org_id"
)
# ORG-07/08/09: contact points, visits, venues, staff posts, budgets and spending.
SUPPORT_SQL = [
    "SELECT org_id, leader_id, COUNT(*) FROM orgs_contactpoint WHERE started_on <= %(day)s"
    " AND (ended_on IS NULL OR ended_on >= %(day)s) GROUP BY org_id, leader_id",
    "SELECT contact_point_id, kind, COUNT(*) FROM orgs_visit WHERE visited_on <= %(day)s"
    " GROUP BY contact_point_id, kind",
    "SELECT org_id, COUNT(*) FROM orgs_venue WHERE closed_on IS NULL OR closed_on > %(day)s"
    " GROUP BY org_id",
    "SELECT org_id, COUNT(*) FROM orgs_staffpost WHERE full_time AND started_on <= %(day)s"
    " AND (ended_on IS NULL OR ended_on >= %(day)s) GROUP BY org_id",
    "SELECT org_id, SUM(amount) FROM orgs_budget GROUP BY org_id",
    "SELECT org_id, SUM(amount) FROM orgs_spending WHERE spent_on <= %(day)s GROUP BY org_id",
]

FLOORS: dict[str, list[str]] = {"": [ORGS_SQL], "ORG": [SEATS_SQL, TERMS_SQL, *SUPPORT_SQL]}
