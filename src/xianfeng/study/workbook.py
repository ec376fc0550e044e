"""The subtree's study compliance as a workbook (REPORT-02: Excel for every list)."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from xianfeng.core.workbooks import write_rows

HEADERS = [
    "党组织编码",
    "党组织",
    "党员数",
    "学时未达标人数",
    "合计差额（学时）",
    "达标率（%）",
    "书记、班子成员未参加集中培训人数",
    "年度学习计划（完成/安排）",
    "举办培训班（期）",
]


def write_compliance(target: Path | IO[bytes], org: Any, year: int, rows: list[dict]) -> int:
    """One row per child org (and the org itself where members sit directly in it)."""
    return write_rows(
        target,
        f"{year}年学习达标情况",
        HEADERS,
        (
            [
                row["org"].code,
                row["org"].name,
                row["members"],
                row["behind"],
                float(row["shortfall"]),
                row["share"] if row["share"] is not None else "",
                row["no_training"],
                f"{row['plan'][0]}/{row['plan'][1]}" if row["plan"] else "未制定",
                row["classes"],
            ]
            for row in rows
        ),
        text_columns=[0],
    )
