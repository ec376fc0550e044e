"""Bench floor queries of orglife (`xianfeng bench check`): the plain scan-and-group of the
tables its rules read, which the evaluation is measured against.

`FLOORS` maps a rule-ID prefix to the queries run when a chosen rule starts with it ("": every
time); settings.BENCH_FLOORS lists it.
"""

# LIFE: meetings by org, kind and day; attendance by meeting and status.
LIFE_SQL = [
    "SELECT org_id, kind, held_on, COUNT(*) FROM orglife_meeting WHERE status = 'held'"
    " AND held_on <= %(day)s GROUP BY org_id, kind, held_on",
    "SELECT a.member_id, a.status, COUNT(*) FROM orglife_attendance a JOIN orglife_meeting m"
    " ON m.id = a.meeting_id WHERE m.held_on <= %(day)s GROUP BY a.member_id, a.status",
]

FLOORS: dict[str, list[str]] = {"LIFE": LIFE_SQL}
