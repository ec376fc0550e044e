"""Importing the study catalogue and training records (PLAT-03 round trip, issue 13):
courses' metadata (课程), must-learn lists (必学清单, one row per course of a list),
training classes (培训班) with their enrolment (培训报名), study plans (学习计划) with
their items (学习安排), and the hours credited to study meetings (会议学时认定).

Each sheet names orgs by code or full name path and members by member code or ID number,
resolved through the importing user's scope exactly like `orgs.importers_support` (out of
sight reads as not found). A course is named by its title and, where two publishers
have one of that name, its publisher (课程发布组织); it must be published to the row's
org. A meeting is named by org, kind, date, topic and 同日序号, as the meeting sheet matches it.
A row equal to the stored record writes nothing; rows are written through
`study.domain` (courses and past rows of members who have since left or moved through
`study.restore`, as files do not travel in spreadsheets).
"""

from .catalogue import CourseImporter, MustLearnImporter
from .classes import EnrollmentImporter, TrainingClassImporter
from .columns import (
    CLASS_COLUMNS,
    COURSE_COLUMNS,
    CREDIT_COLUMNS,
    ENROLLMENT_COLUMNS,
    MUST_LEARN_COLUMNS,
    PLAN_COLUMNS,
    PLAN_ITEM_COLUMNS,
    clean_amount,
    clean_body,
    clean_position,
    clean_tags,
)
from .credits import MeetingCreditImporter
from .plans import PlanItemImporter, StudyPlanImporter

__all__ = [
    "CLASS_COLUMNS",
    "COURSE_COLUMNS",
    "CREDIT_COLUMNS",
    "CourseImporter",
    "ENROLLMENT_COLUMNS",
    "EnrollmentImporter",
    "MUST_LEARN_COLUMNS",
    "MeetingCreditImporter",
    "MustLearnImporter",
    "PLAN_COLUMNS",
    "PLAN_ITEM_COLUMNS",
    "PlanItemImporter",
    "StudyPlanImporter",
    "TrainingClassImporter",
    "clean_amount",
    "clean_body",
    "clean_position",
    "clean_tags",
]
