"""The orgs' part of the demo: the org tree (`tree`) and the ORG-07 … ORG-09 records
(`support`)."""

from __future__ import annotations

from .plan import OrgPlan
from .support import OrgSupport
from .tree import OrgTree

__all__ = ["OrgPlan", "OrgSupport", "OrgTree"]
