"""Bench floor queries of dues (`xianfeng bench check`): the plain scans of the tables the
DUES rules read, which their evaluation is measured against.

`FLOORS` maps a rule-ID prefix to the queries run when a chosen rule starts with it;
settings.BENCH_FLOORS lists it.
"""

# DUES-02: the unsettled lines up to the day (the partial index holds them) and the
# quarterly arrangements; DUES-01: the closed months and the declared bases.
DUES_SQL = [
    "SELECT member_id, month, org_id, amount, paid FROM dues_due"
    " WHERE NOT settled AND month <= %(day)s",
    "SELECT member_id, first_month, last_month FROM dues_arrangement WHERE first_month <= %(day)s",
    "SELECT org_id, month, closed_on FROM dues_monthclose WHERE month <= %(day)s",
    "SELECT member_id, period FROM dues_declaration WHERE declared_on <= %(day)s",
]

FLOORS: dict[str, list[str]] = {"DUES": DUES_SQL}
