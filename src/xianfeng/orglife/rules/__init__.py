"""Compliance rules of organizational life, registered by requirement ID (one module per
requirement group; shared reads and helpers in `parts`).

Which finding lives under which ID (IDs of requirements.md, none invented):

- LIFE-01 (meetings recorded and attended): a member with no organizational life for
  life.no_org_life.months months (党章 第九条, 自行脱党) — error; info when an approved
  exemption covers the whole window. Member-level.
- LIFE-02 (frequencies): general meetings with quorum per quarter, committee meetings and
  party-group meetings per month, the secretary's lesson per year (org-level); the leading
  cadres' lesson and the members' lessons per year (member-level).
- LIFE-03 (theme day): none in a month — error; all off the fixed day / weekdays without a
  reason — warning.
- LIFE-04 (请销假): a member absent without leave at the last life.absence.consecutive_limit
  meetings on their roster — warning, member-level.
- LIFE-05: the yearly life meeting (branches) and leadership life meeting (党委, 党总支).
- LIFE-07 (党务公开): a month without a publication at the kinds life.disclosure.monthly_kinds
  names; a half without the report to all members and a year without the written report
  upward at a unit's party org — warnings, org-level.
- LIFE-08 (谈心谈话, 思想状况分析): leadership pairs without a talk in the year (one finding per
  org listing the pairs), members without a talk with a leadership member (member-level),
  a unit's government org without the year's ideological analysis — warnings.

A duty per month, quarter or year is judged for the sub-periods of the evaluated period
that have ended by as_of (end exclusive <= as_of), for orgs that existed on the
sub-period's first day and were not dissolved before its last day; its findings carry the
sub-period's label. Only held meetings with a date count, at the org they are recorded at.
"""

# Registered in this order (settings.RULE_MODULES imports this package): the order
# load_rules() and every listing of the rules show them in.
# isort: off
from . import frequencies  # LIFE-02
from . import theme_days  # LIFE-03
from . import life_meetings  # LIFE-05
from . import attendance  # LIFE-04, LIFE-01
from . import openness  # LIFE-07
from . import talks  # LIFE-08

# isort: on
# SMALL_SCOPE is named here as before the split; the reads use registry.SMALL_SCOPE.
from xianfeng.compliance.registry import SMALL_SCOPE

from .parts import COMMITTEE_KINDS, LEADERSHIP_LIFE_KINDS, ONE_DAY

__all__ = [
    "COMMITTEE_KINDS",
    "LEADERSHIP_LIFE_KINDS",
    "ONE_DAY",
    "SMALL_SCOPE",
    "attendance",
    "frequencies",
    "life_meetings",
    "openness",
    "talks",
    "theme_days",
]
