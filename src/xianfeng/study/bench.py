"""Bench floor queries of study (`xianfeng bench check`): the plain scan-and-group of the
tables its rules read, which the evaluation is measured against.

`FLOORS` maps a rule-ID prefix to the queries run when a chosen rule starts with it ("": every
time); settings.BENCH_FLOORS lists it.
"""

# STUDY: study records, attended enrolments and study meetings' attendance by member;
# training classes by org, kind and day; plans and their items.
STUDY_SQL = [
    "SELECT member_id, source, SUM(hours) FROM study_studyrecord WHERE status = 'approved'"
    " AND studied_on <= %(day)s GROUP BY member_id, source",
    "SELECT e.member_id, SUM(COALESCE(e.hours, c.hours)), COUNT(*) FROM study_enrollment e"
    " JOIN study_trainingclass c ON c.id = e.training_class_id WHERE e.status = 'attended'"
    " AND c.status = 'held' AND c.ends_on <= %(day)s GROUP BY e.member_id",
    "SELECT a.member_id, m.kind, COUNT(*) FROM orglife_attendance a JOIN orglife_meeting m"
    " ON m.id = a.meeting_id WHERE a.status = 'present' AND m.kind IN ('party_lesson',"
    " 'study_session') AND m.held_on <= %(day)s GROUP BY a.member_id, m.kind",
    "SELECT org_id, kind, starts_on, COUNT(*) FROM study_trainingclass WHERE status = 'held'"
    " AND starts_on <= %(day)s GROUP BY org_id, kind, starts_on",
    "SELECT p.org_id, p.member_id, i.period, COUNT(i.done_on) FROM study_studyplan p"
    " JOIN study_planitem i ON i.plan_id = p.id GROUP BY p.org_id, p.member_id, i.period",
    "SELECT member_id, started_on, ended_on FROM orgs_seat WHERE started_on <= %(day)s",
]

FLOORS: dict[str, list[str]] = {"STUDY": STUDY_SQL}
