"""What recruitment exports (PLAT-03), listed in settings.EXPORTS, each in its import
sheets' columns so that it re-imports as it is:

- 发展党员与人才培养（全部）: every sheet in one workbook — the talent pool, the yearly
  targets, the cultivations and their entries, the people with their steps, mentors and
  introducers. The import replays them together in date order (a talent taken out of the
  pool after their cultivation stopped, a track (b) cultivation achieved once its talent
  became an activist), so this is the one to restore a database from; it comes first;
- 年度目标; 人才库与三培养 (talent, cultivations, entries); 发展党员全程记实 (people,
  steps, mentors, introducers): the same rows by area (re-imported after the whole one
  they write nothing).

Rows are read as `values_list` in chunks and streamed (constant memory); ID numbers are
masked unless the export is unmasked (`ExportScope.unmasked`: a user with the right to
see personal identifiers, or the command line with --unmasked).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from xianfeng.core.exports import Export, ExportScope
from xianfeng.core.workbooks import write_sheets

from . import exports_pipeline as pipeline
from . import exports_pool as pool
from .importers import IntroducerImporter, MentorImporter, PeopleImporter, StepImporter
from .importers_pool import CultivationImporter, EntryImporter, TalentImporter, TargetImporter
from .models import Introducer, Mentor, Step

Rows = Callable[..., Iterator[dict[str, Any]]]
TALENT_SHEETS: tuple[tuple[Any, Rows], ...] = (
    (TalentImporter, pool.talent_rows),
    (CultivationImporter, pool.cultivation_rows),
    (EntryImporter, pool.entry_rows),
)
PIPELINE_SHEETS: tuple[tuple[Any, Rows], ...] = (
    (PeopleImporter, pipeline.people_rows),
    (StepImporter, pipeline.step_rows),
    (MentorImporter, pipeline.mentor_rows),
    (IntroducerImporter, pipeline.introducer_rows),
)
TARGET_SHEETS: tuple[tuple[Any, Rows], ...] = ((TargetImporter, pool.target_rows),)
ALL_SHEETS = (TALENT_SHEETS[0], *TARGET_SHEETS, *TALENT_SHEETS[1:], *PIPELINE_SHEETS)


def _writer(sheets: tuple[tuple[Any, Rows], ...]) -> Callable[[Path | IO[bytes], ExportScope], int]:
    def write(target: Path | IO[bytes], scope: ExportScope) -> int:
        orgs, unmasked = scope.orgs(), scope.unmasked
        return write_sheets(
            target,
            (
                (importer.title, importer.columns, rows(orgs, unmasked=unmasked))
                for importer, rows in sheets
            ),
        )

    return write


def _count_talent(scope: ExportScope) -> int:
    orgs = scope.orgs()
    counted = pool.talent_entries(orgs).count() + pool.cultivations(orgs).count()
    return counted + pool.entries(orgs).count()


def _count_pipeline(scope: ExportScope) -> int:
    orgs = scope.orgs()
    return pipeline.people(orgs).count() + sum(
        model.objects.filter(person__org__in=orgs).count() for model in (Step, Mentor, Introducer)
    )


def _count_targets(scope: ExportScope) -> int:
    return pool.targets(scope.orgs()).count()


def _count_all(scope: ExportScope) -> int:
    return _count_talent(scope) + _count_pipeline(scope) + _count_targets(scope)


EXPORTS = (
    Export("recruitment", "发展党员与人才培养（全部）", _writer(ALL_SHEETS), _count_all),
    Export("recruitment_targets", "年度目标", _writer(TARGET_SHEETS), _count_targets),
    Export("recruitment_talent", "人才库与三培养", _writer(TALENT_SHEETS), _count_talent),
    Export("recruitment_pipeline", "发展党员全程记实", _writer(PIPELINE_SHEETS), _count_pipeline),
)
