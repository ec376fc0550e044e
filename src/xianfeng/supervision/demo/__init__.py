"""The supervision part of the demo (issue 16 item 11): a year of problem items made from
the demo's own findings with realistic states (some overdue, some returned twice or three
times, most accepted, a re-inspection that reopened two), a half-year inspection with its
notice, duty lists in the government subtree, the supervision calendar, quarterly progress
reports, secretary-led projects, duty reports and admonitions, with a few gaps so that every
TASK rule reports in the last full year and in the year to date.

It runs after the accounts and policies exist (it evaluates rules and names reviewers), reads
what the other builders saved, and draws from a random stream of its own
(`supervision`), so it leaves every other row of a seed as it was.
"""

from __future__ import annotations

from typing import Any

from xianfeng.core.demo import DemoContext
from xianfeng.orgs.models import Org

from .items import ItemsBuilder
from .secretaries import SecretariesBuilder


def save_supervision(ctx: DemoContext, root: Org) -> dict[str, Any]:
    """Build the supervision records under `root`; what was made, for the summary."""
    rng = ctx.stream("supervision")
    inspector = _inspecting_org(root)
    items = ItemsBuilder(ctx, rng, root, inspector)
    made = items.build()
    made.update(SecretariesBuilder(ctx, rng, root, inspector).build())
    ctx.insert.reset_sequences()
    return made


def _inspecting_org(root: Org) -> Org:
    """The org that runs the demo's supervision: the first county committee, else the root."""
    county = (
        Org.objects.filter(path__startswith=root.path, level="county", kind="party_committee")
        .order_by("path")
        .first()
    )
    return county or root
