"""Bench floor queries of supervision (`xianfeng bench check`): the plain scan-and-group of
the tables the TASK rules read, which the evaluation is measured against.

`FLOORS` maps a rule-ID prefix to the queries run when a chosen rule starts with it;
settings.BENCH_FLOORS lists it.
"""

# TASK-01/02: items not accepted by the day, by org; returns recorded after it.
ITEMS_SQL = [
    "SELECT org_id, COUNT(*), MIN(deadline), MAX(returned_count) FROM supervision_item"
    " WHERE created_on <= %(day)s AND status <> 'accepted' GROUP BY org_id",
    "SELECT item_id, COUNT(*) FROM supervision_step WHERE action = 'returned' GROUP BY item_id",
]
# TASK-04: progress reports by org and quarter; TASK-05/07: secretary seats, projects and
# duty reports; TASK-06: admonitions and proposals.
RHYTHM_SQL = [
    "SELECT org_id, period FROM supervision_progressreport WHERE submitted_on <= %(day)s",
    "SELECT org_id, member_id, started_on, ended_on FROM orgs_seat WHERE role = 'secretary'"
    " AND member_id IS NOT NULL AND (ended_on IS NULL OR ended_on >= %(day)s)",
    "SELECT org_id, secretary_id, year FROM supervision_project WHERE registered_on <= %(day)s",
    "SELECT org_id, secretary_id, year FROM supervision_dutyreport WHERE date <= %(day)s",
    "SELECT member_id, by_org_id, date FROM supervision_admonition WHERE date <= %(day)s"
    " ORDER BY member_id, date",
    "SELECT member_id, raised_on, decided_on, decision FROM supervision_adjustmentproposal"
    " WHERE raised_on <= %(day)s",
]

FLOORS: dict[str, list[str]] = {"TASK": [*ITEMS_SQL, *RHYTHM_SQL]}
