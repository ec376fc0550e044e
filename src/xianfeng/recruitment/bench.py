"""Bench floor queries of recruitment (`xianfeng bench check`): the plain scan-and-group of
the tables the DEV and MEM-03 rules read, which their evaluation is measured against.

`FLOORS` maps a rule-ID prefix to the queries run when a chosen rule starts with it;
settings.BENCH_FLOORS lists it. The placements and status spells MEM-03 and DEV-02 read
are the members' floor ("": every time).
"""

# DEV-01/02/06: the people by org, their deadline steps, their open mentors; DEV-03/05:
# the cultivations, their entries and the attendances of track (a)'s members; DEV-06:
# the targets; DEV-05: the seats held on the day.
DEV_SQL = [
    "SELECT org_id, stage, COUNT(*), MIN(applied_on), MAX(activist_on), MAX(approved_on)"
    " FROM recruitment_person GROUP BY org_id, stage",
    'SELECT person_id, kind, MAX("on") FROM recruitment_step WHERE "on" <= %(day)s'
    " AND kind IN ('talk', 'review', 'thought_report', 'pre_review', 'admission_meeting',"
    " 'oath', 'conversion_approval') GROUP BY person_id, kind",
    "SELECT person_id, COUNT(*) FROM recruitment_mentor WHERE started_on <= %(day)s"
    " AND (ended_on IS NULL OR ended_on > %(day)s) GROUP BY person_id",
    "SELECT org_id, track, status, COUNT(*), MAX(pair_id) FROM recruitment_cultivation"
    " GROUP BY org_id, track, status",
    "SELECT cultivation_id, kind, COUNT(*) FROM recruitment_cultivationentry"
    ' WHERE "on" <= %(day)s GROUP BY cultivation_id, kind',
    "SELECT org_id, kind, SUM(value) FROM recruitment_target GROUP BY org_id, kind",
    "SELECT org_id, member_id FROM orgs_seat WHERE member_id IS NOT NULL"
    " AND (ended_on IS NULL OR ended_on >= %(day)s)",
]
# MEM-03: the dual-lead members by year.
MEM_SQL = ["SELECT year, COUNT(DISTINCT member_id) FROM members_duallead GROUP BY year"]

FLOORS: dict[str, list[str]] = {"DEV": DEV_SQL, "MEM": MEM_SQL}
