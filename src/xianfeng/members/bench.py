"""Bench floor queries of members (`xianfeng bench check`): the plain scan-and-group of the
tables its rules read, which the evaluation is measured against.

`FLOORS` maps a rule-ID prefix to the queries run when a chosen rule starts with it ("": every
time); settings.BENCH_FLOORS lists it.
"""

# Members by org and status on the day: placements × status spells.
MEMBERS_SQL = """
SELECT p.org_id, s.status, COUNT(*)
FROM members_placement p JOIN members_statusspell s ON s.member_id = p.member_id
WHERE p.started_on <= %(day)s AND (p.ended_on IS NULL OR p.ended_on > %(day)s)
  AND s.started_on <= %(day)s AND (s.ended_on IS NULL OR s.ended_on > %(day)s)
GROUP BY p.org_id, s.status
"""

FLOORS: dict[str, list[str]] = {"": [MEMBERS_SQL]}
