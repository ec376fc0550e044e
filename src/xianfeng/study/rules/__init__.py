"""Compliance rules of study and training, registered by requirement ID (one module per
requirement group; shared helpers in `parts`).

Which finding lives under which ID (IDs of requirements.md, none invented):

- STUDY-01 (concentrated study hours): per member, the counted hours of an ended year
  below the requirement — error; a secretary or leadership member without the yearly
  concentrated training — error; in a year in progress, hours behind the pro-rata pace —
  warning. Member-level, at the member's org on the day looked at.
- STUDY-03 (study plans): an org without its annual plan — error; an ended quarter without
  an arrangement, an ended month without tasks or with tasks not done — warning; a leading
  cadre without a personal plan (error) or without a month's arrangement (warning).
- STUDY-04 (training classes): a town committee's quarter without a practical-technique
  training; a government org's year without a rotation training of at least a day (held
  by it or an ancestor) and its members who attended none; a city or county committee's
  year without a dual-lead backbone class — errors.

Readings (see the notes of national.toml [study]): hours are Decimals with one decimal;
32.0 passes and 31.5 fails; a member who joined the party during the year, or held a
seat for part of it, is judged pro rata by days; only ended months, quarters and years
are judged, besides the pace warning of a year in progress. Hours count wherever the
member studied (any org), so the members are read from the subtree and their study by
member; rules are local: each finding depends on its org's subtree (and, for rotation
classes, its ancestors').
"""

# Registered in this order (settings.RULE_MODULES imports this package).
# isort: off
from . import hours  # STUDY-01
from . import plans  # STUDY-03
from . import classes  # STUDY-04

# isort: on
# FEW_MEMBERS is named here as before the split; the reads use compliance.parts.FEW_MEMBERS.
from xianfeng.compliance.parts import FEW_MEMBERS

from .hours import required_hours

__all__ = ["FEW_MEMBERS", "classes", "hours", "plans", "required_hours"]
