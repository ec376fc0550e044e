"""The authorization matrix (PLAT-01): every page and endpoint × kind of user × an object
inside and outside the user's scope × read and write.

Objects "in" lie in branch CA-T1-B1 (inside the scope of the branch secretary, an admin,
and of the county viewer); objects "out" lie in county CB (outside both). Out of scope is
always 404, never 403, so that nothing reveals what exists elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import FAST_SETTINGS, settle_deferred_constraints
from tests.factories import build_tree
from xianfeng.accounts.domain import create_api_token
from xianfeng.core.models import Job
from xianfeng.members.domain import send_transfer
from xianfeng.notices.domain import send_notice
from xianfeng.orgs.domain import appoint_to_seat

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    path: str  # with {placeholders} filled from the objects below
    method: str = "get"  # "get" reads, anything else writes
    public: bool = False  # reachable without login (login page, OpenAPI)
    scoped: bool = True  # False: no object of the scope in the path
    data: tuple[tuple[str, str], ...] = ()  # API body, {placeholders} filled like the path
    form: bool = False  # a GET that shows a write form: needs write rights
    identifiers: bool = False  # needs the right to see full ID numbers as well

    @property
    def writes(self) -> bool:
        return self.method != "get" or self.form


P = Endpoint
MATRIX: dict[str, list[Endpoint]] = {
    "home": [P("/", scoped=False)],
    "job": [P("/jobs/{job}/")],
    "job_errors": [],  # a job's error workbook: tested in tests/core/test_import_pages.py
    "data": [P("/data/", scoped=False)],
    "set_language": [P("/i18n/setlang/", "post", public=True, scoped=False)],
    "data_template": [P("/data/template.xlsx", scoped=False)],
    "data_export": [P("/data/export/members/", "post", scoped=False)],
    "data_export_job": [P("/data/export/members/job/", "post", scoped=False)],
    "job_export": [],  # a background export's workbook: tested in tests/core/test_export_jobs.py
    "accounts:login": [P("/accounts/login/", public=True, scoped=False)],
    "accounts:logout": [P("/accounts/logout/", "post", public=True, scoped=False)],
    "accounts:password_change": [P("/accounts/password/", scoped=False)],
    "accounts:tokens": [P("/accounts/tokens/", scoped=False)],
    "accounts:token_revoke": [P("/accounts/tokens/{token}/revoke/", "post")],
    "accounts:bulk_create": [
        P("/accounts/bulk/?org={org}", form=True),
        P("/accounts/bulk/?org={org}", "post"),
    ],
    "accounts:list": [P("/accounts/", scoped=False)],
    "accounts:detail": [P("/accounts/{account}/")],
    "accounts:post_add": [P("/accounts/{account}/posts/", "post")],
    "accounts:post_end": [P("/accounts/{account}/posts/{post}/end/", "post")],
    "accounts:link_member": [P("/accounts/{account}/member/", "post")],
    "accounts:reset_password": [P("/accounts/{account}/reset-password/", "post")],
    "accounts:set_active": [P("/accounts/{account}/active/", "post")],
    "accounts:set_identifiers": [
        P("/accounts/{account}/identifiers/", "post", identifiers=True)  # issue 12: holders only
    ],
    "orgs:tree": [P("/orgs/", scoped=False)],
    "orgs:directory": [P("/orgs/directory/?q=村", scoped=False)],
    "orgs:detail": [P("/orgs/{org}/")],
    "orgs:children": [P("/orgs/{town}/children/")],
    "orgs:edit": [P("/orgs/{org}/edit/", form=True), P("/orgs/{org}/edit/", "post")],
    "orgs:create": [P("/orgs/{org}/new/", form=True), P("/orgs/{org}/new/", "post")],
    "orgs:leadership": [P("/orgs/{org}/leadership/")],
    "orgs:seat_add": [P("/orgs/{org}/leadership/seats/", "post")],
    "orgs:seat_end": [P("/orgs/{org}/leadership/seats/{seat}/end/", "post")],
    "orgs:term_add": [P("/orgs/{org}/leadership/terms/", "post")],
    # Approving a term extension needs admin of a proper ancestor: {lower} lies below the
    # branch secretary's own org.
    "orgs:term_extend": [P("/orgs/{lower}/leadership/extension/", "post")],
    "orgs:contacts": [P("/orgs/{org}/contacts/")],
    "orgs:contact_add": [P("/orgs/{org}/contacts/points/", "post")],
    "orgs:contact_end": [P("/orgs/{org}/contacts/points/{contact}/end/", "post")],
    "orgs:visit_add": [P("/orgs/{org}/contacts/visits/", "post")],
    "orgs:venues": [P("/orgs/{org}/venues/")],
    "orgs:venue_add": [P("/orgs/{org}/venues/new/", "post")],
    "orgs:venue_edit": [
        P("/orgs/{org}/venues/{venue}/edit/", form=True),
        P("/orgs/{org}/venues/{venue}/edit/", "post"),
    ],
    "orgs:venue_close": [P("/orgs/{org}/venues/{venue}/close/", "post")],
    "orgs:staff_add": [P("/orgs/{org}/staff/", "post")],
    "orgs:staff_end": [P("/orgs/{org}/staff/{staff}/end/", "post")],
    "orgs:budget": [P("/orgs/{org}/budget/"), P("/orgs/{org}/budget/?year=2024")],
    "orgs:budget_set": [P("/orgs/{org}/budget/set/", "post")],
    "orgs:spending_add": [P("/orgs/{org}/budget/spending/", "post")],
    "members:list": [P("/members/", scoped=False)],
    "members:create": [
        P("/members/new/?org={org}", form=True),
        P("/members/new/?org={org}", "post"),
    ],
    "members:me": [P("/members/me/", scoped=False)],
    "members:transfers": [P("/members/transfers/", scoped=False)],
    "members:transfer_detail": [P("/members/transfers/{transfer}/")],
    "members:transfer_receive": [P("/members/transfers/{transfer_in}/receive/", "post")],
    "members:transfer_reject": [P("/members/transfers/{transfer_in}/reject/", "post")],
    "members:transfer_cancel": [P("/members/transfers/{transfer}/cancel/", "post")],
    "members:detail": [P("/members/{member}/")],
    "members:edit": [P("/members/{member}/edit/", form=True), P("/members/{member}/edit/", "post")],
    "members:status": [P("/members/{member}/status/", "post")],
    "members:send_transfer": [P("/members/{member}/transfer/", "post")],
    "members:reveal_id": [P("/members/{member}/id-number/", "post", identifiers=True)],
    "members:dual_lead": [P("/members/orgs/{org}/dual-lead/?year=2025")],
    "members:birthdays": [P("/members/orgs/{town}/birthdays/?month=2025-06")],
    "members:birthdays_xlsx": [P("/members/orgs/{org}/birthdays.xlsx?month=2025-06")],
    "members:talents": [P("/members/{member}/talents/")],
    "members:dual_lead_add": [P("/members/{member}/talents/dual-lead/", "post")],
    "members:dual_lead_withdraw": [
        P("/members/{member}/talents/dual-lead/{dual_lead}/withdraw/", "post")
    ],
    "members:tag_add": [P("/members/{member}/talents/tags/", "post")],
    "members:tag_end": [P("/members/{member}/talents/tags/{member_tag}/end/", "post")],
    "members:discipline": [
        P("/members/{member}/discipline/", form=True),  # officers only, even to read
        P("/members/{member}/discipline/", "post"),
    ],
    "members:discipline_edit": [
        P("/members/{member}/discipline/{discipline}/", form=True),
        P("/members/{member}/discipline/{discipline}/", "post"),
    ],
    "api:openapi-json": [P("/api/openapi.json", public=True, scoped=False)],
    # The API's schema and docs are public: Xianfeng is open source, the data is not.
    "api:openapi-view": [P("/api/docs", public=True, scoped=False)],
    "api:api-root": [],  # ninja's internal root name; serves no page of its own
    "api:unknown_path": [],  # any other /api/ path: a JSON 404 (tests/api/test_robustness.py)
    "api:list_orgs": [P("/api/orgs", scoped=False)],
    "api:create_org": [
        P(
            "/api/orgs",
            "post",
            data=(
                ("parent", "{town}"),
                ("code", "NEW1"),
                ("name", "新支部"),
                ("kind", "branch"),
                ("level", "village"),
            ),
        )
    ],
    "api:org_directory": [P("/api/orgs/directory?q=村", scoped=False)],
    "api:get_org": [P("/api/orgs/{org}")],
    "api:list_dual_leads": [P("/api/members/orgs/{org}/dual-leads?year=2025")],
    "api:dual_lead_shares": [P("/api/members/orgs/{town}/dual-lead-shares?year=2025")],
    "api:list_birthdays": [P("/api/members/orgs/{org}/birthdays?month=2025-06")],
    "api:member_talents": [P("/api/members/{member}/talents")],
    "api:add_dual_lead": [
        P(
            "/api/members/{member}/dual-leads",
            "post",
            data=(
                ("year", "2025"),
                ("type", "innovation"),
                ("evidence", "技术革新"),
                ("recognized_on", "2025-12-01"),
            ),
        )
    ],
    "api:withdraw_dual_lead": [P("/api/members/{member}/dual-leads/{dual_lead}", "delete")],
    "api:add_tag": [
        P(
            "/api/members/{member}/tags",
            "post",
            data=(("kind", "skill"), ("tag", "电子商务"), ("since", "2025-01-02")),
        )
    ],
    "api:end_tag": [
        P("/api/members/{member}/tags/{member_tag}/end", "post", data=(("until", "2025-12-01"),))
    ],
    "api:list_disciplines": [P("/api/members/{member}/disciplines", form=True)],
    "api:record_discipline": [
        P(
            "/api/members/{member}/disciplines",
            "post",
            data=(
                ("kind", "warning"),
                ("decided_on", "2025-03-01"),
                ("effective_until", "2025-09-01"),
            ),
        )
    ],
    "api:correct_discipline": [
        P("/api/members/{member}/disciplines/{discipline}", "patch", data=(("reason", "更正"),))
    ],
    "api:update_org": [P("/api/orgs/{org}", "patch")],
    "api:org_counts": [P("/api/orgs/{org}/counts")],
    "api:org_leadership": [P("/api/orgs/{org}/leadership")],
    "api:appoint_to_seat": [
        P(
            "/api/orgs/{org}/seats",
            "post",
            data=(
                ("role", "committee_member"),
                ("title", "宣传委员"),
                ("member", "MA1"),
                ("started_on", "2025-06-01"),
            ),
        )
    ],
    "api:end_seat": [
        P("/api/orgs/{org}/seats/{seat}/end", "post", data=(("ended_on", "2025-06-01"),))
    ],
    "api:record_election": [
        P("/api/orgs/{org}/terms", "post", data=(("elected_on", "2025-06-01"), ("years", "0")))
    ],
    "api:approve_term_extension": [
        P("/api/orgs/{lower}/term-extension", "post", data=(("until", "2030-01-01"),))
    ],
    "api:list_contact_points": [P("/api/orgs/{org}/contact-points")],
    "api:add_contact_point": [
        P(
            "/api/orgs/{org}/contact-points",
            "post",
            data=(("leader", "{member}"), ("target", "{org}"), ("started_on", "2025-06-01")),
        )
    ],
    "api:end_contact_point": [
        P(
            "/api/orgs/{org}/contact-points/{contact}/end",
            "post",
            data=(("ended_on", "2025-06-01"),),
        )
    ],
    "api:list_visits": [P("/api/orgs/{org}/visits")],
    "api:record_visit": [
        P(
            "/api/orgs/{org}/visits",
            "post",
            data=(("contact_point", "{contact}"), ("visited_on", "2025-06-01")),
        )
    ],
    "api:list_venues": [P("/api/orgs/{org}/venues")],
    "api:add_venue": [P("/api/orgs/{org}/venues", "post", data=(("name", "党员活动室"),))],
    "api:update_venue": [
        P("/api/orgs/{org}/venues/{venue}", "patch", data=(("has_flag", "true"),))
    ],
    "api:list_staff_posts": [P("/api/orgs/{org}/staff-posts")],
    "api:add_staff_post": [
        P(
            "/api/orgs/{org}/staff-posts",
            "post",
            data=(("name", "陈六"), ("started_on", "2025-06-01")),
        )
    ],
    "api:end_staff_post": [
        P("/api/orgs/{org}/staff-posts/{staff}/end", "post", data=(("ended_on", "2025-06-01"),))
    ],
    "api:list_budgets": [P("/api/orgs/{org}/budgets")],
    "api:set_budget": [
        P("/api/orgs/{org}/budgets", "post", data=(("year", "2025"), ("amount", "7200")))
    ],
    "api:list_spendings": [P("/api/orgs/{org}/spendings?year=2025")],
    "api:record_spending": [
        P(
            "/api/orgs/{org}/spendings",
            "post",
            data=(("spent_on", "2025-06-01"), ("amount", "100"), ("purpose", "学习资料")),
        )
    ],
    "api:list_members": [P("/api/members", scoped=False)],
    "api:create_member": [
        P(
            "/api/members",
            "post",
            data=(
                ("org", "{org}"),
                ("code", "NEWM"),
                ("name", "新党员"),
                ("id_number", "11010519491231002X"),
                ("joined_on", "2000-01-01"),
            ),
        )
    ],
    "api:get_member": [P("/api/members/{member}")],
    "api:update_member": [P("/api/members/{member}", "patch")],
    "api:get_full_id_number": [P("/api/members/{member}/id-number", identifiers=True)],
    "api:change_status": [
        P(
            "/api/members/{member}/status",
            "post",
            data=(("status", "suspended"), ("on", "2025-06-01"), ("note", "支部大会决议")),
        )
    ],
    "api:list_transfers": [P("/api/transfers", scoped=False)],
    "api:send_transfer": [
        P(
            "/api/transfers",
            "post",
            data=(("member", "{member}"), ("to_org", "CA-T1-B2"), ("sent_on", "2025-06-01")),
        )
    ],
    "api:get_transfer": [P("/api/transfers/{transfer}")],
    "api:receive_transfer": [
        P("/api/transfers/{transfer_in}/receive", "post", data=(("received_on", "2025-06-01"),))
    ],
    "api:reject_transfer": [P("/api/transfers/{transfer_in}/reject", "post")],
    "api:cancel_transfer": [P("/api/transfers/{transfer}/cancel", "post")],
    "api:me": [P("/api/accounts/me", scoped=False)],
    "api:list_accounts": [P("/api/accounts", scoped=False)],
    "api:create_account": [
        P(
            "/api/accounts",
            "post",
            data=(
                ("username", "newacc"),
                ("display_name", "新账号"),
                ("org", "{org}"),
                ("role", "viewer"),
            ),
        )
    ],
    "api:add_post": [
        P("/api/accounts/{account}/posts", "post", data=(("org", "{org}"), ("role", "officer")))
    ],
    "api:reset_password": [P("/api/accounts/{account}/reset-password", "post")],
    "api:deactivate": [P("/api/accounts/{account}/deactivate", "post")],
    # Notices belong to one user: "in" is the secretary's own notice, "out" the outsider's.
    "notices:inbox": [P("/notices/", scoped=False)],
    "notices:read": [P("/notices/{notice}/read/", "post")],
    "notices:read_all": [P("/notices/read-all/", "post", scoped=False)],
    "api:list_notices": [P("/api/notices", scoped=False)],
    "api:read_notice": [P("/api/notices/{notice}/read", "post")],
    "api:read_all_notices": [P("/api/notices/read-all", "post", scoped=False)],
    "compliance:rules": [P("/compliance/rules/", scoped=False)],
    "compliance:rule": [P("/compliance/rules/ORG-03/?org={org}")],
    "compliance:org_findings": [P("/compliance/orgs/{org}/")],
    "compliance:check": [P("/compliance/orgs/{org}/check/", "post")],
    "compliance:subtree": [P("/compliance/orgs/{town}/subtree/")],
    # The export writes only its own audit row; what-if evaluates without saving.
    "compliance:export": [P("/compliance/orgs/{org}/export.xlsx", "post")],
    "compliance:whatif": [
        P("/compliance/orgs/{org}/what-if/"),
        P("/compliance/orgs/{org}/what-if/", "post"),
    ],
    # A policy is attached, edited and detached by admins of an org above it (issue 12):
    # {lower} lies below the branch secretary's own org.
    "compliance:policy": [
        P("/compliance/orgs/{org}/policy/"),
        P("/compliance/orgs/{lower}/policy/", "post"),
    ],
    "compliance:policy_adopt": [P("/compliance/orgs/{lower}/policy/adopt/", "post")],
    "compliance:policy_detach": [P("/compliance/orgs/{lower}/policy/detach/", "post")],
    "compliance:preference": [P("/compliance/orgs/{org}/preferences/", "post")],
    # The findings API (issue 16 item 10): {finding} is a key with its `|` sent as %7C.
    "api:list_findings": [
        P("/api/findings", scoped=False),
        P("/api/findings?org={org}&rule=ORG&period=2025&severity=error"),
    ],
    "api:get_finding": [P("/api/findings/{finding}")],
    # A member's own page and leave request: tested in tests/orglife/test_pages.py.
    "orglife:my": [P("/orglife/my/", scoped=False)],
    "orglife:leave_ask": [P("/orglife/my/1/leave/", "post", scoped=False)],
    "orglife:meetings": [
        P("/orglife/{org}/meetings/"),
        P("/orglife/{org}/meetings/?kind=theme_day"),
    ],
    "orglife:meeting_create": [
        P("/orglife/{org}/meetings/new/", form=True),
        P("/orglife/{org}/meetings/new/", "post"),
    ],
    "orglife:meeting_detail": [P("/orglife/meetings/{meeting}/")],
    "orglife:meeting_record": [P("/orglife/meetings/{meeting}/record.pdf")],
    "orglife:meeting_edit": [
        P("/orglife/meetings/{meeting}/edit/", form=True),
        P("/orglife/meetings/{meeting}/edit/", "post"),
    ],
    "orglife:meeting_hold": [P("/orglife/meetings/{meeting}/hold/", "post")],
    "orglife:meeting_cancel": [P("/orglife/meetings/{meeting}/cancel/", "post")],
    "orglife:attendance": [
        P("/orglife/meetings/{meeting}/attendance/", form=True),
        P("/orglife/meetings/{meeting}/attendance/", "post"),
    ],
    "orglife:attachment_add": [P("/orglife/meetings/{meeting}/attachments/", "post")],
    "orglife:attachment_file": [P("/orglife/attachments/{attachment}/file/")],
    "orglife:calendar": [P("/orglife/{org}/calendar/?month=2025-06")],
    "orglife:leave_list": [P("/orglife/{org}/leave/")],
    "orglife:leave_decide": [P("/orglife/leave/{leave}/decide/", "post")],
    "orglife:exemptions": [
        P("/orglife/{org}/exemptions/"),
        P("/orglife/{org}/exemptions/", "post"),
    ],
    "orglife:exemption_decide": [P("/orglife/exemptions/{exemption}/decide/", "post")],
    "orglife:materials": [P("/orglife/{town}/materials/"), P("/orglife/{town}/materials/", "post")],
    "orglife:material_detail": [P("/orglife/materials/{material}/")],
    "orglife:material_file": [P("/orglife/materials/{material}/file/")],
    "orglife:affairs": [
        P("/orglife/{org}/affairs/?year=2025"),
        P("/orglife/{org}/affairs/", "post"),
    ],
    "orglife:affairs_delete": [P("/orglife/affairs/{affairs}/delete/", "post")],
    "orglife:affairs_file": [P("/orglife/affairs/{affairs}/file/")],
    "api:list_meetings": [P("/api/orglife/orgs/{org}/meetings")],
    "api:create_meeting": [
        P(
            "/api/orglife/orgs/{org}/meetings",
            "post",
            data=(("kind", "theme_day"), ("topic", "主题党日"), ("held_on", "2025-06-05")),
        )
    ],
    "api:get_meeting": [P("/api/orglife/meetings/{meeting}")],
    "api:get_meeting_record": [P("/api/orglife/meetings/{meeting}/record.pdf")],
    "api:set_meeting_attendance": [
        P(
            "/api/orglife/meetings/{meeting}/attendance",
            "post",
            data=(("member", "{member}"), ("status", "present")),
        )
    ],
    "api:ask_meeting_leave": [
        P("/api/orglife/meetings/1/leave", "post", scoped=False, data=(("reason", "外出"),))
    ],
    "api:decide_meeting_leave": [
        P("/api/orglife/leave/{leave}/decide", "post", data=(("approve", "true"),))
    ],
    "api:list_affairs_records": [P("/api/orglife/orgs/{org}/affairs?year=2025")],
    "api:create_affairs_record": [
        P(
            "/api/orglife/orgs/{org}/affairs",
            "post",
            data=(
                ("kind", "affairs_disclosure"),
                ("period", "2025-06"),
                ("done_on", "2025-06-30"),
                ("summary", "公开6月党务"),
            ),
        )
    ],
    "api:list_lesson_materials": [P("/api/orglife/orgs/{org}/materials")],
    "api:publish_lesson_material": [
        P(
            "/api/orglife/orgs/{town}/materials",
            "post",
            data=(("month", "2025-06"), ("title", "学习党章")),
        )
    ],
    "orglife:plan": [P("/orglife/{org}/plan/2025/")],
    "orglife:plan_generate": [P("/orglife/{org}/plan/2025/generate/", "post")],
    "orglife:plan_export": [P("/orglife/{org}/plan/2025/export/")],
    "orglife:overview": [
        P("/orglife/{town}/overview/?period=2025"),
        P("/orglife/{town}/overview/?period=2025-Q3&rows=branches&sort=-theme_day"),
    ],
    "orglife:overview_export": [P("/orglife/{town}/overview/export/?period=2025")],
    # Study and training (STUDY-01 … STUDY-04). A member's own study page: tested in
    # tests/study/test_pages.py.
    "study:home": [P("/study/", scoped=False)],
    "study:my": [P("/study/my/", scoped=False)],
    "study:member": [P("/study/members/{member}/"), P("/study/members/{member}/?year=2024")],
    "study:record_add": [P("/study/members/{member}/records/", "post")],
    "study:personal_plan": [P("/study/members/{member}/plan/")],
    "study:personal_plan_create": [P("/study/members/{member}/plan/new/", "post")],
    "study:record_decide": [P("/study/records/{record}/decide/", "post")],
    "study:course_detail": [P("/study/courses/{course}/")],
    "study:course_edit": [
        P("/study/courses/{course}/edit/", form=True),
        P("/study/courses/{course}/edit/", "post"),
    ],
    "study:course_file": [P("/study/courses/{course}/file/")],
    "study:plan_item_add": [P("/study/plans/{plan}/items/", "post")],
    "study:plan_item_done": [P("/study/plan-items/{plan_item}/done/", "post")],
    "study:class_detail": [P("/study/classes/{training}/")],
    "study:class_enroll": [P("/study/classes/{training}/enroll/", "post")],
    "study:class_attendance": [
        P("/study/classes/{training}/attendance/", form=True),
        P("/study/classes/{training}/attendance/", "post"),
    ],
    "study:org": [P("/study/orgs/{org}/"), P("/study/orgs/{org}/?year=2025")],
    "study:compliance": [P("/study/orgs/{town}/compliance/?sort=share")],
    "study:compliance_export": [P("/study/orgs/{town}/compliance.xlsx?year=2025")],
    "study:courses": [P("/study/orgs/{org}/courses/?kind=text")],
    "study:course_create": [
        P("/study/orgs/{org}/courses/new/", form=True),
        P("/study/orgs/{org}/courses/new/", "post"),
    ],
    "study:must_learn": [
        P("/study/orgs/{town}/must-learn/?year=2025"),
        P("/study/orgs/{town}/must-learn/", "post"),
    ],
    "study:org_plan": [P("/study/orgs/{org}/plan/?year=2025")],
    "study:org_plan_create": [P("/study/orgs/{org}/plan/new/", "post")],
    "study:classes": [P("/study/orgs/{org}/classes/")],
    "study:class_create": [
        P("/study/orgs/{org}/classes/new/", form=True),
        P("/study/orgs/{org}/classes/new/", "post"),
    ],
    "api:list_study_records": [P("/api/study/orgs/{org}/records?year=2025")],
    "api:create_study_record": [
        P(
            "/api/study/orgs/{org}/records",
            "post",
            data=(
                ("member", "{member}"),
                ("source", "imported"),
                ("studied_on", "2025-04-01"),
                ("hours", "3"),
                ("title", "党校培训"),
            ),
        )
    ],
    "api:list_courses": [P("/api/study/orgs/{org}/courses")],
    "api:create_course": [
        P(
            "/api/study/orgs/{org}/courses",
            "post",
            data=(("title", "学习准则"), ("kind", "lecture"), ("hours", "2")),
        )
    ],
    "api:list_training_classes": [P("/api/study/orgs/{org}/classes?year=2025")],
    "api:create_training_class": [
        P(
            "/api/study/orgs/{org}/classes",
            "post",
            data=(
                ("kind", "rotation"),
                ("title", "集中轮训"),
                ("starts_on", "2025-05-06"),
                ("ends_on", "2025-05-06"),
                ("days", "1"),
                ("hours", "8"),
            ),
        )
    ],
    "api:get_training_class": [P("/api/study/classes/{training}")],
    "api:record_class_attendance": [P("/api/study/classes/{training}/attendance", "post")],
    "api:member_hours": [P("/api/study/members/{member}/hours?year=2025")],
    # --- recruitment (DEV-01 … DEV-07, MEM-03/04/06) ----------------------------------------
    "recruitment:people": [P("/recruitment/orgs/{org}/")],
    # D: the three cultivations, targets, the talent pool (DEV-03 … DEV-07)
    "recruitment:cultivations": [
        P("/recruitment/orgs/{org}/cultivations/"),
        P("/recruitment/orgs/{org}/cultivations/?track=talent_to_member&status=active&year=2025"),
    ],
    "recruitment:cultivation_new": [
        P("/recruitment/orgs/{org}/cultivations/new/", form=True),
        P("/recruitment/orgs/{org}/cultivations/new/", "post"),
    ],
    "recruitment:cultivation": [P("/recruitment/cultivations/{cultivation}/")],
    "recruitment:cultivation_entry": [
        P("/recruitment/cultivations/{cultivation}/entries/", "post")
    ],
    "recruitment:cultivation_status": [
        P("/recruitment/cultivations/{cultivation}/status/", "post")
    ],
    "recruitment:cultivation_pair": [P("/recruitment/cultivations/{cultivation}/pair/", "post")],
    "recruitment:targets": [
        P("/recruitment/orgs/{org}/targets/?year=2025"),
        P("/recruitment/orgs/{org}/targets/", "post"),
    ],
    "recruitment:progress": [P("/recruitment/orgs/{org}/targets/progress/?year=2025")],
    "recruitment:talent_list": [
        P("/recruitment/orgs/{org}/talent/"),
        P("/recruitment/orgs/{org}/talent/?kind=grower&status=pool&tag=致富能手&q=郑"),
    ],
    "recruitment:talent_new": [
        P("/recruitment/orgs/{org}/talent/new/", form=True),
        P("/recruitment/orgs/{org}/talent/new/", "post"),
    ],
    "recruitment:talent": [P("/recruitment/talent/{talent}/")],
    "recruitment:talent_edit": [
        P("/recruitment/talent/{talent}/edit/", form=True),
        P("/recruitment/talent/{talent}/edit/", "post"),
    ],
    "recruitment:talent_cultivate": [P("/recruitment/talent/{talent}/cultivate/", "post")],
    "recruitment:talent_pipeline": [P("/recruitment/talent/{talent}/pipeline/", "post")],
    "recruitment:talent_left": [P("/recruitment/talent/{talent}/left/", "post")],
    "api:list_cultivations": [P("/api/recruitment/orgs/{org}/cultivations?track=member_to_talent")],
    "api:open_cultivation": [
        P(
            "/api/recruitment/orgs/{org}/cultivations",
            "post",
            data=(
                ("track", "talent_to_cadre"),
                ("member", "{member}"),
                ("started_on", "2025-06-01"),
            ),
        )
    ],
    "api:list_unpaired_leaders": [
        P("/api/recruitment/orgs/{org}/unpaired-leaders?track=talent_to_member")
    ],
    "api:get_cultivation": [P("/api/recruitment/cultivations/{cultivation}")],
    "api:add_cultivation_entry": [
        P(
            "/api/recruitment/cultivations/{cultivation}/entries",
            "post",
            data=(("on", "2025-06-01"), ("kind", "training"), ("title", "种植技术培训")),
        )
    ],
    "api:set_cultivation_status": [
        P(
            "/api/recruitment/cultivations/{cultivation}/status",
            "post",
            data=(("status", "stopped"), ("on", "2025-06-01")),
        )
    ],
    "api:set_cultivation_pair": [
        P("/api/recruitment/cultivations/{cultivation}/pair", "post", data=(("pair", ""),))
    ],
    "api:list_targets": [P("/api/recruitment/orgs/{org}/targets?year=2025")],
    "api:set_target": [
        P(
            "/api/recruitment/orgs/{org}/targets",
            "post",
            data=(("org", "{lower}"), ("year", "2025"), ("kind", "promoted"), ("value", "3")),
        )
    ],
    "api:target_progress": [P("/api/recruitment/orgs/{org}/progress?year=2025")],
    "api:list_talent": [P("/api/recruitment/orgs/{org}/talent?kind=grower&tag=致富能手")],
    "api:register_talent": [
        P(
            "/api/recruitment/orgs/{org}/talent",
            "post",
            data=(("name", "钱经纪"), ("kind", "broker"), ("surveyed_on", "2025-06-01")),
        )
    ],
    "api:get_talent": [P("/api/recruitment/talent/{talent}")],
    "api:cultivate_talent": [
        P(
            "/api/recruitment/talent/{talent}/cultivate",
            "post",
            data=(("started_on", "2025-06-01"),),
        )
    ],
    "api:talent_to_pipeline": [
        P("/api/recruitment/talent/{talent}/pipeline", "post", data=(("applied_on", "2025-06-01"),))
    ],
    "api:mark_talent_left": [
        P(
            "/api/recruitment/talent/{talent}/left",
            "post",
            data=(("on", "2025-06-01"), ("reason", "外出务工")),
        )
    ],
    "recruitment:person_new": [
        P("/recruitment/orgs/{org}/new/", form=True),
        P("/recruitment/orgs/{org}/new/", "post"),
    ],
    "recruitment:overview": [P("/recruitment/orgs/{town}/overview/")],
    "recruitment:person": [P("/recruitment/people/{person}/?kind=review")],
    "recruitment:record_pdf": [P("/recruitment/people/{person}/record.pdf")],
    "recruitment:step_new": [P("/recruitment/people/{person}/steps/new/", "post")],
    "recruitment:mentors": [P("/recruitment/people/{person}/mentors/", "post")],
    "recruitment:introducers": [P("/recruitment/people/{person}/introducers/", "post")],
    "recruitment:transfer": [P("/recruitment/people/{person}/transfer/", "post")],
    "recruitment:end": [P("/recruitment/people/{person}/end/", "post")],
    "recruitment:step_files": [P("/recruitment/steps/{step}/files/", "post")],
    "recruitment:step_file": [P("/recruitment/files/{step_file}/")],
    "api:list_people": [P("/api/recruitment/orgs/{org}/people?stage=activist")],
    "api:get_person": [P("/api/recruitment/people/{person}")],
    "api:create_applicant": [
        P(
            "/api/recruitment/orgs/{org}/people",
            "post",
            data=(
                ("name", "周新"),
                ("id_number", "110101199003071234"),
                ("applied_on", "2025-03-01"),
            ),
        )
    ],
    "api:record_step": [
        P(
            "/api/recruitment/people/{person}/steps",
            "post",
            data=(("kind", "review"), ("on", "2025-06-01"), ("conclusion", "表现良好")),
        )
    ],
    "api:assign_mentor": [
        P(
            "/api/recruitment/people/{person}/mentors",
            "post",
            data=(("member", "MA1"), ("on", "2025-06-01")),
        )
    ],
    "api:end_mentor": [
        P(
            "/api/recruitment/people/{person}/mentors/{mentor}/end",
            "post",
            data=(("on", "2025-06-01"),),
        )
    ],
    "api:choose_introducers": [
        P(
            "/api/recruitment/people/{person}/introducers",
            "post",
            data=(("first", "MA1"), ("second", "MA9"), ("on", "2025-06-01")),
        )
    ],
    # --- dues (DUES-01, DUES-02): {dues_month} is this month (payments within the policy's
    # window); {dues_reduction} "in" was proposed by CA-T1-B1-G1, so that the branch
    # secretary is the committee above it and may decide it ---------------------------------
    "dues:me": [P("/dues/me/", scoped=False)],
    "dues:member": [P("/dues/members/{member}/"), P("/dues/members/{member}/?year=2025")],
    "dues:declare": [P("/dues/members/{member}/declarations/", "post")],
    "dues:kind": [P("/dues/members/{member}/kinds/", "post")],
    "dues:pay": [P("/dues/members/{member}/payments/", "post")],
    "dues:extra": [P("/dues/members/{member}/extra/", "post")],
    "dues:propose": [P("/dues/members/{member}/reductions/", "post")],
    "dues:quarterly": [P("/dues/members/{member}/quarterly/", "post")],
    "dues:reverse": [P("/dues/payments/{dues_payment}/reverse/", "post")],
    "dues:totals": [P("/dues/orgs/{town}/"), P("/dues/orgs/{org}/?year=2025&month=2025-06")],
    "dues:arrears": [P("/dues/orgs/{town}/arrears/?min=3")],
    "dues:current": [P("/dues/orgs/{org}/month/")],
    "dues:month": [
        P("/dues/orgs/{org}/month/{dues_month}/"),
        P("/dues/orgs/{org}/month/{dues_month}/", "post"),
    ],
    "dues:close": [P("/dues/orgs/{org}/month/{dues_month}/close/", "post")],
    "dues:reductions": [P("/dues/reductions/", scoped=False)],
    "dues:decide": [P("/dues/reductions/{dues_reduction}/decide/", "post")],
    "dues:receipt_pdf": [P("/dues/members/{member}/receipt/2025.pdf", form=True)],
    "dues:disclosure_pdf": [P("/dues/orgs/{org}/disclosure/2025.pdf")],
    "api:dues_member": [P("/api/dues/members/{member}?year=2025")],
    "api:dues_org_month": [P("/api/dues/orgs/{org}/months/{dues_month}")],
    "api:dues_totals": [P("/api/dues/orgs/{town}/totals?year=2025&month=2025-06")],
    "api:dues_arrears": [P("/api/dues/orgs/{town}/arrears?min=1")],
    "api:dues_pending_reductions": [P("/api/dues/reductions/pending", scoped=False)],
    "api:dues_record_payment": [
        P("/api/dues/members/{member}/payments", "post", data=(("month", "{dues_month}"),))
    ],
    "api:dues_record_month": [P("/api/dues/orgs/{org}/months/{dues_month}/payments", "post")],
    "api:dues_reverse_payment": [
        P("/api/dues/payments/{dues_payment}/reverse", "post", data=(("note", "录错"),))
    ],
    "api:dues_record_extra": [
        P("/api/dues/members/{member}/extra", "post", data=(("amount", "10"),))
    ],
    "api:dues_close_month": [P("/api/dues/orgs/{org}/months/{dues_month}/close", "post")],
    "api:dues_declare_base": [
        P(
            "/api/dues/members/{member}/declarations",
            "post",
            data=(("period", "2025"), ("monthly_base", "3000")),
        )
    ],
    "api:dues_set_kind": [
        P(
            "/api/dues/members/{member}/kinds",
            "post",
            data=(("kind", "retired"), ("started_on", "2025-01-01")),
        )
    ],
    "api:dues_propose_reduction": [
        P(
            "/api/dues/members/{member}/reductions",
            "post",
            data=(
                ("first_month", "{dues_month}"),
                ("last_month", "{dues_month}"),
                ("monthly_amount", "0"),
                ("reason", "重病"),
            ),
        )
    ],
    "api:dues_decide_reduction": [
        P("/api/dues/reductions/{dues_reduction}/decide", "post", data=(("approve", "true"),))
    ],
    "api:dues_arrange_quarterly": [
        P(
            "/api/dues/members/{member}/arrangements",
            "post",
            data=(("first_month", "{dues_month}"), ("agreed_on", "2025-06-01")),
        )
    ],
    # --- supervision: duty lists (TASK-03), rhythm, inspections, notices (TASK-04) ------
    "supervision:duty_template": [
        P("/supervision/orgs/{org}/duty/?year=2025"),
        P("/supervision/orgs/{org}/duty/", "post"),
    ],
    "supervision:duty_item_add": [P("/supervision/orgs/{org}/duty/items/", "post")],
    "supervision:duty_publish": [P("/supervision/orgs/{org}/duty/publish/", "post")],
    "supervision:duty_list": [P("/supervision/orgs/{org}/duty/list/?year=2025")],
    "supervision:duty_item_remove": [P("/supervision/duty-items/{duty_item}/remove/", "post")],
    "supervision:calendar": [P("/supervision/orgs/{org}/calendar/?year=2025")],
    "supervision:calendar_generate": [P("/supervision/orgs/{org}/calendar/generate/", "post")],
    "supervision:calendar_done": [P("/supervision/calendar/{calendar_entry}/done/", "post")],
    "supervision:progress": [P("/supervision/orgs/{org}/progress/?year=2025")],
    "supervision:progress_submit": [P("/supervision/orgs/{org}/progress/new/", "post")],
    "supervision:inspections": [P("/supervision/orgs/{org}/inspections/")],
    "supervision:inspection_create": [P("/supervision/orgs/{org}/inspections/new/", "post")],
    "supervision:inspection_detail": [P("/supervision/inspections/{inspection}/")],
    "supervision:inspection_target": [P("/supervision/inspection-targets/{target}/", "post")],
    "supervision:inspection_problem": [
        P("/supervision/inspection-targets/{target}/problems/", "post")
    ],
    "supervision:notices": [P("/supervision/orgs/{org}/notices/")],
    "supervision:notice_create": [P("/supervision/orgs/{org}/notices/new/", "post")],
    "supervision:notice_detail": [P("/supervision/notices/{inspection_notice}/")],
    "supervision:notice_pdf": [P("/supervision/notices/{inspection_notice}/notice.pdf")],
    "supervision:notice_publish": [P("/supervision/notices/{inspection_notice}/publish/", "post")],
    # Supervision (issue 16): findings turned into problem items, re-inspection (回头看).
    "supervision:from_findings": [P("/supervision/orgs/{org}/from-findings/?rule=LIFE-03")],
    "supervision:findings_to_items": [P("/supervision/orgs/{org}/from-findings/create/", "post")],
    "supervision:reinspections": [
        P("/supervision/orgs/{org}/reinspections/"),
        P("/supervision/orgs/{org}/reinspections/", "post"),
    ],
    # Supervision items (TASK-01, TASK-02). {item} is an open item of the org; the
    # reviewer's writes act on {review_item}, an item of {lower} (the org reviews it).
    "api:list_my_items": [P("/api/supervision/items?responsible=me", scoped=False)],
    "api:list_org_items": [P("/api/supervision/orgs/{org}/items?status=open")],
    "api:get_item": [P("/api/supervision/items/{item}")],
    "api:create_item": [
        P(
            "/api/supervision/orgs/{org}/items",
            "post",
            data=(("kind", "problem"), ("title", "记录不全"), ("deadline", "2099-01-01")),
        )
    ],
    "api:start_item": [P("/api/supervision/items/{item}/start", "post")],
    "api:submit_item": [
        P("/api/supervision/items/{item}/submit", "post", data=(("evidence", "已整改"),))
    ],
    "api:accept_item": [
        P("/api/supervision/items/{review_item}/accept", "post", data=(("note", "同意"),))
    ],
    "api:return_item": [
        P("/api/supervision/items/{review_item}/return", "post", data=(("reason", "不全"),))
    ],
    "api:ask_extension": [
        P(
            "/api/supervision/items/{item}/extensions",
            "post",
            data=(("deadline", "2099-12-31"), ("reason", "等待审批")),
        )
    ],
    "api:decide_extension": [
        P("/api/supervision/extensions/{extension}/decide", "post", data=(("grant", "true"),))
    ],
    # Supervision (TASK-01, TASK-02): lists, the item page and its actions, the queue
    # (items each account may act on: tests/supervision/test_pages.py).
    "supervision:mine": [P("/supervision/mine/", scoped=False)],
    "supervision:queue": [P("/supervision/queue/", scoped=False)],
    "supervision:org_items": [
        P("/supervision/orgs/{org}/items/"),
        P("/supervision/orgs/{org}/items/?kind=problem&status=open&overdue=on&page=2"),
    ],
    "supervision:item_new": [
        P("/supervision/orgs/{org}/items/new/", form=True),
        P("/supervision/orgs/{org}/items/new/", "post"),
    ],
    "supervision:overview": [P("/supervision/orgs/{town}/overview/?sort=-overdue")],
    "supervision:overview_export": [P("/supervision/orgs/{town}/overview.xlsx")],
    "supervision:item": [P("/supervision/items/{item}/")],
    "supervision:item_start": [P("/supervision/items/{item}/start/", "post")],
    "supervision:item_submit": [P("/supervision/items/{item}/submit/", "post")],
    "supervision:item_accept": [P("/supervision/items/{review_item}/accept/", "post")],
    "supervision:item_return": [P("/supervision/items/{review_item}/return/", "post")],
    "supervision:item_extension": [P("/supervision/items/{item}/extension/", "post")],
    "supervision:extension_decide": [P("/supervision/extensions/{extension}/decide/", "post")],
    "supervision:item_file": [P("/supervision/files/{item_file}/")],
    # Supervision, the secretaries' duties (TASK-05 … TASK-07). Admonitions and adjustment
    # proposals concern orgs below the actor: {lower} lies below the branch secretary's org.
    "supervision:projects": [P("/supervision/orgs/{org}/projects/")],
    "supervision:project_create": [
        P("/supervision/orgs/{org}/projects/new/", form=True),
        P("/supervision/orgs/{org}/projects/new/", "post"),
    ],
    "supervision:project_coverage": [P("/supervision/orgs/{town}/projects/coverage/?year=2025")],
    "supervision:project": [P("/supervision/projects/{project}/")],
    "supervision:project_milestones": [P("/supervision/projects/{project}/milestones/", "post")],
    "supervision:project_complete": [P("/supervision/projects/{project}/complete/", "post")],
    "supervision:admonitions": [P("/supervision/orgs/{lower}/admonitions/")],
    "supervision:admonition_create": [
        P("/supervision/orgs/{lower}/admonitions/new/", form=True),
        P("/supervision/orgs/{lower}/admonitions/new/", "post"),
    ],
    "supervision:my_admonitions": [P("/supervision/my/admonitions/", scoped=False)],
    "supervision:proposals": [P("/supervision/orgs/{lower}/proposals/")],
    "supervision:proposal_decide": [P("/supervision/proposals/{proposal}/decide/", "post")],
    "supervision:duty_reports": [P("/supervision/orgs/{org}/duty-reports/")],
    "supervision:duty_report_create": [
        P("/supervision/orgs/{org}/duty-reports/new/", form=True),
        P("/supervision/orgs/{org}/duty-reports/new/", "post"),
    ],
    "supervision:report_coverage": [P("/supervision/orgs/{town}/duty-reports/coverage/?year=2025")],
    "api:list_projects": [P("/api/supervision/orgs/{org}/projects?year=2025")],
    "api:register_project": [
        P(
            "/api/supervision/orgs/{org}/projects",
            "post",
            data=(("title", "党建引领"), ("goal", "建成服务站"), ("registered_on", "2025-06-01")),
        )
    ],
    "api:update_milestones": [P("/api/supervision/projects/{project}/milestones", "post")],
    "api:complete_project": [
        P(
            "/api/supervision/projects/{project}/complete",
            "post",
            data=(("result", "服务站投入使用"), ("completed_on", "2025-11-20")),
        )
    ],
    "api:list_admonitions": [P("/api/supervision/orgs/{lower}/admonitions")],
    "api:record_admonition": [
        P(
            "/api/supervision/orgs/{lower}/admonitions",
            "post",
            data=(
                ("date", "2025-06-01"),
                ("by_org", "{org}"),
                ("talker", "组织委员"),
                ("reason", "三会一课落实不到位"),
            ),
        )
    ],
    "api:list_proposals": [P("/api/supervision/orgs/{lower}/adjustment-proposals")],
    "api:decide_proposal": [
        P(
            "/api/supervision/adjustment-proposals/{proposal}/decide",
            "post",
            data=(("decision", "kept"), ("note", "已整改到位")),
        )
    ],
    "api:list_duty_reports": [P("/api/supervision/orgs/{org}/duty-reports?year=2025")],
    "api:record_duty_report": [
        P(
            "/api/supervision/orgs/{org}/duty-reports",
            "post",
            data=(("year", "2025"), ("date", "2025-12-20"), ("summary", "全年抓党建情况")),
        )
    ],
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_plat_01_matrix_covers_every_page_and_endpoint():
    names = set(_walk(get_resolver().url_patterns))
    assert names - set(MATRIX) == set(), "add the new page or endpoint to MATRIX"
    assert set(MATRIX) - names == set()


@dataclass
class World:
    objects_in: dict[str, object] = field(default_factory=dict)
    objects_out: dict[str, object] = field(default_factory=dict)


@pytest.fixture(scope="module")
def _shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The tree and the world, built once for the module's ≈1,100 cases inside a
    transaction rolled back at the module's end (each case still runs in its own
    savepoint, so what a case writes is undone after it; as `conftest.shared_demo`)."""
    media = tmp_path_factory.mktemp("authorization-media")
    with django_db_blocker.unblock(), override_settings(**FAST_SETTINGS, MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            tree = build_tree()
            world = _build_world(tree)
            settle_deferred_constraints()
            yield tree, world, media
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def tree(_shared_world, db, settings):
    settings.MEDIA_ROOT = _shared_world[2]  # the world's uploaded files
    return _shared_world[0]


@pytest.fixture
def world(_shared_world, tree):
    return _shared_world[1]


def _build_world(tree):
    """Objects of every kind inside (branch A) and outside (county B) the scope."""
    from tests.factories import make_member, make_org, make_user
    from xianfeng.orgs.domain import add_contact_point, add_staff_post, save_venue

    secretary, outsider = tree.users["secretary"], tree.users["outsider"]
    branch_b2 = make_org(tree.town_b, kind="branch", code="CB-T1-B2", name="蓝天村党支部")
    coming = make_member(branch_b2, code="MB2", name="赵七")
    transfer_in = send_transfer(member=coming, to_org=tree.branch_a, sent_on=dt.date(2025, 5, 1))
    transfer_out = send_transfer(
        member=tree.member_b, to_org=branch_b2, sent_on=dt.date(2025, 5, 1)
    )
    leaving = make_member(tree.branch_a, code="MA9")
    mine = send_transfer(member=leaving, to_org=tree.branch_a2, sent_on=dt.date(2025, 5, 2))
    out_account = make_user("out_account", org=tree.branch_b, role="viewer")
    in_account = make_user("in_account", org=tree.branch_a, role="viewer")
    job_in = Job.objects.create(kind="t", title="t", created_by=secretary, org=tree.branch_a)
    job_out = Job.objects.create(kind="t", title="t", created_by=outsider, org=tree.branch_b)
    token_in, _ = create_api_token(user=secretary, name="in")
    token_out, _ = create_api_token(user=outsider, name="out")
    [notice_in] = send_notice(users=[secretary], kind="system", title="青山村", body="t")
    [notice_out] = send_notice(users=[outsider], kind="system", title="CB-T1-B1", body="王五")
    day = dt.date(2024, 1, 1)
    seat_in = appoint_to_seat(
        org=tree.branch_a, role="secretary", member=tree.member_a, started_on=day
    )
    seat_out = appoint_to_seat(
        org=tree.branch_b, role="secretary", member=tree.member_b, started_on=day
    )
    contact_in = add_contact_point(
        org=tree.branch_a, leader=tree.member_a, target=tree.branch_a, started_on=day
    )
    contact_out = add_contact_point(
        org=tree.branch_b, leader=tree.member_b, target=tree.branch_b, started_on=day
    )
    venue_in = save_venue(org=tree.branch_a, name="青山村党员活动室")
    venue_out = save_venue(org=tree.branch_b, name="白云村党员活动室")
    staff_in = add_staff_post(org=tree.branch_a, name="陈六", started_on=day)
    staff_out = add_staff_post(org=tree.branch_b, name="钱八", started_on=day)
    life = _orglife_objects(tree)
    study = _study_objects(tree)
    findings = _findings(tree)
    supervision = _supervision_objects(tree)
    items = _item_objects(tree)
    duties = _secretaries_objects(tree)
    talent = _recruitment_talent_objects(tree)
    talents = _talents_objects(tree)
    recruiting = _recruitment_objects(tree)
    dues = _dues_objects(tree)
    w = World()
    w.objects_in = {
        "org": "CA-T1-B1",
        "town": "CA-T1-B1",
        "member": "MA1",
        "account": in_account.username,
        "post": in_account.posts.get().pk,
        "transfer": mine.pk,
        "transfer_in": transfer_in.pk,
        "job": job_in.pk,
        "token": token_in.pk,
        "notice": notice_in.pk,
        "seat": seat_in.pk,
        "lower": "CA-T1-B1-G1",
        "contact": contact_in.pk,
        "venue": venue_in.pk,
        "staff": staff_in.pk,
        **life["in"],
        **study["in"],
        **findings["in"],
        **supervision["in"],
        **items["in"],
        **duties["in"],
        **talent["in"],
        **talents["in"],
        **recruiting["in"],
        **dues["in"],
    }
    w.objects_out = {
        "org": "CB-T1-B1",
        "town": "CB-T1",
        "member": "MB1",
        "account": out_account.username,
        "post": out_account.posts.get().pk,
        "transfer": transfer_out.pk,
        "transfer_in": transfer_out.pk,
        "job": job_out.pk,
        "token": token_out.pk,
        "notice": notice_out.pk,
        "seat": seat_out.pk,
        "lower": "CB-T1-B1",
        "contact": contact_out.pk,
        "venue": venue_out.pk,
        "staff": staff_out.pk,
        **life["out"],
        **study["out"],
        **findings["out"],
        **supervision["out"],
        **items["out"],
        **duties["out"],
        **talent["out"],
        **talents["out"],
        **recruiting["out"],
        **dues["out"],
    }
    return w


def _findings(tree) -> dict[str, dict[str, object]]:
    """A city-wide run with one finding in each branch; the key of each (`|` as %7C)."""
    from tests.notices.helpers import found, make_run

    make_run(tree.city, findings=[found("ORG-03", tree.branch_a), found("ORG-03", tree.branch_b)])
    return {
        side: {"finding": f"ORG-03%7C{code}%7C-%7C2025"}
        for side, code in [("in", "CA-T1-B1"), ("out", "CB-T1-B1")]
    }


def _orglife_objects(tree) -> dict[str, dict[str, object]]:
    """A held meeting with an attachment, a pending leave request and exemption, a lesson
    material (published by the town above the branch) and a party-affairs record, the
    last three with a file, on each side."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.lib.dates import today
    from xianfeng.orglife import domain as life

    found: dict[str, dict[str, object]] = {}
    for side, branch, town, member in [
        ("in", tree.branch_a, tree.town_a, tree.member_a),
        ("out", tree.branch_b, tree.town_b, tree.member_b),
    ]:
        held = life.record_meeting(
            org=branch, kind="theme_day", topic="主题党日", held_on=dt.date(2025, 6, 5)
        )
        planned = life.record_meeting(
            org=branch, kind="theme_day", topic="t", planned_on=today() + dt.timedelta(days=5)
        )
        leave = life.ask_leave(meeting=planned, member=member, reason="外出")
        exemption = life.ask_exemption(
            member=member, kind="theme_day", reason="年老体弱", starts_on=dt.date(2025, 1, 1)
        )
        pdf = SimpleUploadedFile("党课.pdf", b"%PDF-1.4")
        material = life.publish_material(org=town, month="2025-06", title="学习党章", file=pdf)
        attachment = life.add_attachment(held, file=SimpleUploadedFile("签到表.pdf", b"%PDF-1.4"))
        affairs = life.record_affairs(
            org=branch,
            kind="affairs_disclosure",
            period="2025-05",
            done_on=dt.date(2025, 5, 30),
            summary="公开5月党务",
            file=SimpleUploadedFile("公开.pdf", b"%PDF-1.4"),
        )
        found[side] = {
            "meeting": held.pk,
            "leave": leave.pk,
            "exemption": exemption.pk,
            "material": material.pk,
            "attachment": attachment.pk,
            "affairs": affairs.pk,
        }
    return found


def _study_objects(tree) -> dict[str, dict[str, object]]:
    """A course with a file, an org plan with an item, a training class with an enrolled
    member and a pending self-study record on each side."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.study import domain as study

    found: dict[str, dict[str, object]] = {}
    for side, branch, member in [
        ("in", tree.branch_a, tree.member_a),
        ("out", tree.branch_b, tree.member_b),
    ]:
        day = dt.date(2025, 3, 1)
        course = study.create_course(
            org=branch,
            title="学习党章",
            kind="file",
            hours=2,
            published_on=day,
            file=SimpleUploadedFile("党章.pdf", b"%PDF-1.4"),
        )
        plan = study.create_study_plan(
            kind="org", org=branch, year=2025, title="学习计划", adopted_on=dt.date(2025, 1, 10)
        )
        item = study.add_plan_item(plan, period="2025-Q1", title="学习党章")
        training = study.create_training_class(
            org=branch, kind="other", title="培训班", starts_on=day, ends_on=day, days=1, hours=8
        )
        study.enroll_members(training, members=[member])
        record = study.record_study(
            member=member, source="self_study", studied_on=day, hours=2, title="自学党章"
        )
        found[side] = {
            "course": course.pk,
            "plan": plan.pk,
            "plan_item": item.pk,
            "training": training.pk,
            "record": record.pk,
        }
    return found


def _supervision_objects(tree) -> dict[str, dict[str, object]]:
    """A duty template with a duty, a calendar, an inspection with one target and an
    inspection notice on each side (branch A; town B with branch B as its target)."""
    from xianfeng.supervision.domain import duty, inspections, rhythm
    from xianfeng.supervision.models import Inspection, InspectionTarget

    found: dict[str, dict[str, object]] = {}
    for side, org, target in [
        ("in", tree.branch_a, tree.group_a),
        ("out", tree.town_b, tree.branch_b),
    ]:
        template = duty.save_template(org, year=2025, title="责任清单", by=None)
        duty_item = duty.add_template_item(
            template, level="secretary", title="第一责任人", due=dt.date(2025, 12, 31), by=None
        )
        [entry, *_] = rhythm.generate_calendar(org, year=2025, by=None)
        inspection = Inspection.objects.create(
            org=org, kind="half_year", period="2025-H1", title="督查", date=dt.date(2025, 7, 1)
        )
        looked = InspectionTarget.objects.create(inspection=inspection, org=target)
        notice = inspections.create_notice(
            org,
            number="督〔2025〕1号",
            date=dt.date(2025, 7, 10),
            title="督查通报",
            body="通报",
            recipients=org.code,
            by=None,
        )
        found[side] = {
            "duty_item": duty_item.pk,
            "calendar_entry": entry.pk,
            "inspection": inspection.pk,
            "target": looked.pk,
            "inspection_notice": notice.pk,
        }
    return found


def _item_objects(tree) -> dict[str, dict[str, object]]:
    """On each side an open item with a file (the branch's, acted for by its member) and
    a submitted item with a pending extension that the branch reviews (its party group's;
    on the out side the branch's own, reviewed by the town)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.lib.dates import today
    from xianfeng.supervision.domain import items as supervision

    day = today()
    found: dict[str, dict[str, object]] = {}
    for side, branch, reviewed, code in [
        ("in", tree.branch_a, tree.group_a, "MA1"),
        ("out", tree.branch_b, tree.branch_b, "MB1"),
    ]:
        fields = {"kind": "problem", "deadline": day + dt.timedelta(days=30), "by": None}
        item = supervision.create_item(
            branch,
            title="记录不全",
            responsible=code,
            files=[SimpleUploadedFile("通知.pdf", b"%PDF-1.4")],
            **fields,
        )
        review = supervision.create_item(reviewed, title="待验收", **fields)
        supervision.submit_item(review, evidence="已整改", by=None)
        extension = supervision.ask_extension(
            review, deadline=day + dt.timedelta(days=60), reason="需要时间", by=None
        )
        found[side] = {
            "item": item.pk,
            "item_file": item.files.get().pk,
            "review_item": review.pk,
            "extension": extension.pk,
        }
    return found


def _secretaries_objects(tree) -> dict[str, dict[str, object]]:
    """A secretary-led project of each branch (the world seats their secretaries), and an
    adjustment proposal below the branch secretary's org ("in": its party group, made
    directly, as party groups have no secretary to talk to) and in county CB ("out")."""
    from xianfeng.supervision.domain.secretaries import record_admonition, register_project
    from xianfeng.supervision.models import AdjustmentProposal, Admonition

    day = dt.date(2025, 6, 1)
    found: dict[str, dict[str, object]] = {}
    for side, branch in [("in", tree.branch_a), ("out", tree.branch_b)]:
        project = register_project(
            branch, title="党建引领", goal="建成服务站", registered_on=day, by=None
        )
        found[side] = {"project": project.pk}
    talk = Admonition.objects.create(
        org=tree.group_a,
        member=tree.member_a,
        date=day,
        by_org=tree.branch_a,
        talker="组织委员",
        reason="履职不到位",
    )
    proposal_in = AdjustmentProposal.objects.create(
        org=tree.group_a, member=tree.member_a, admonition=talk, raised_on=day
    )
    talk = dict(by_org="CB-T1", talker="组织委员", reason="履职不到位", by=None)
    record_admonition(tree.branch_b, date=dt.date(2025, 3, 1), **talk)
    second = record_admonition(tree.branch_b, date=day, **talk)
    found["in"]["proposal"] = proposal_in.pk
    found["out"]["proposal"] = second.proposal.pk
    return found


def _recruitment_talent_objects(tree) -> dict[str, dict[str, object]]:
    """A track (a) cultivation file of MA1 / MB1 and a talent-pool entry of each branch."""
    from xianfeng.recruitment.domain.cultivation import open_cultivation
    from xianfeng.recruitment.domain.talent import register_talent

    day = dt.date(2025, 3, 1)
    found: dict[str, dict[str, object]] = {}
    for side, branch, code in [("in", tree.branch_a, "MA1"), ("out", tree.branch_b, "MB1")]:
        cultivation = open_cultivation(
            org=branch, track="member_to_talent", member=code, started_on=day, by=None
        )
        talent = register_talent(
            org=branch, name="郑能手", kind="grower", tags=["致富能手"], surveyed_on=day, by=None
        )
        found[side] = {"cultivation": cultivation.pk, "talent": talent.pk}
    return found


def _talents_objects(tree) -> dict[str, dict[str, object]]:
    """A dual-lead recognition (2024), a skill tag and a penalty of each side's member."""
    from xianfeng.members import discipline, talents

    found: dict[str, dict[str, object]] = {}
    for side, member in [("in", tree.member_a), ("out", tree.member_b)]:
        day = dt.date(2024, 12, 1)
        lead = talents.record_dual_lead(
            member=member,
            year=2024,
            type="excellence",
            evidence="服务标兵",
            recognized_on=day,
            by=None,
        )
        tag = talents.add_member_tag(
            member=member, kind="skill", tag="种植技术", since=day, by=None
        )
        penalty = discipline.record_discipline(
            member=member,
            kind="warning",
            decided_on=day,
            effective_until=dt.date(2025, 6, 1),
            by=None,
        )
        found[side] = {"dual_lead": lead.pk, "member_tag": tag.pk, "discipline": penalty.pk}
    return found


def _recruitment_objects(tree) -> dict[str, dict[str, object]]:
    """An activist with a mentor and a file on the application step on each side (branch
    A; branch B)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.recruitment.pipeline_helpers import make_activist
    from xianfeng.recruitment.models import StepFile

    found: dict[str, dict[str, object]] = {}
    for side, branch, member in [
        ("in", tree.branch_a, tree.member_a),
        ("out", tree.branch_b, tree.member_b),
    ]:
        person = make_activist(branch, mentor=member, name="赵小明")
        step = person.steps.get(kind="application")
        upload = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4")
        file = StepFile.objects.create(step=step, file=upload, name="申请书.pdf", size=8)
        found[side] = {
            "person": person.pk,
            "step": step.pk,
            "step_file": file.pk,
            "mentor": person.mentors.get().pk,
        }
    return found


def _dues_objects(tree) -> dict[str, dict[str, object]]:
    """This month's ledger lines; on each side MA1 / MB1 declared and paid this month,
    and a proposed reduction: "in" proposed by the party group CA-T1-B1-G1 (made directly,
    as members sit in branches), so that the branch secretary is the committee above."""
    from xianfeng.dues import ledger
    from xianfeng.dues.domain.common import month_label
    from xianfeng.dues.domain.declarations import declare_base
    from xianfeng.dues.domain.payments import record_payment
    from xianfeng.dues.models import Reduction
    from xianfeng.lib.dates import today

    month = today().replace(day=1)
    ledger.refresh(month.year)
    found: dict[str, dict[str, object]] = {}
    for side, member, proposer in [
        ("in", tree.member_a, tree.group_a),
        ("out", tree.member_b, tree.branch_b),
    ]:
        declare_base(member=member, period=str(month.year), monthly_base="3000")
        payment = record_payment(member=member, month=month)
        reduction = Reduction.objects.create(
            member=member,
            first_month=month,
            last_month=month,
            monthly_amount=0,
            reason="困难",
            proposed_by_org=proposer,
            proposed_on=today(),
        )
        found[side] = {
            "dues_month": month_label(month),
            "dues_payment": payment.pk,
            "dues_reduction": reduction.pk,
        }
    return found


def _call(client, endpoint: Endpoint, objects: dict):
    path = endpoint.path.format(**objects)
    if endpoint.method == "get":
        return client.get(path)
    if not path.startswith("/api/"):
        return client.post(path, {})
    data = {key: value.format(**objects) for key, value in endpoint.data}
    return getattr(client, endpoint.method)(path, data, content_type="application/json")


CASES = [(name, ep) for name, eps in MATRIX.items() for ep in eps]
IDS = [f"{ep.method}:{name}" for name, ep in CASES]


@pytest.mark.parametrize(("name", "endpoint"), CASES, ids=IDS)
def test_plat_01_anonymous(client, world, name, endpoint):
    response = _call(client, endpoint, world.objects_in)
    if endpoint.public:
        assert response.status_code < 500
    elif endpoint.path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [c for c in CASES if c[1].scoped],
    ids=[i for i, c in zip(IDS, CASES, strict=True) if c[1].scoped],
)
def test_plat_01_out_of_scope_is_404(client_for, tree, world, name, endpoint):
    for user in ["secretary", "county_viewer", "member", "nobody"]:
        response = _call(client_for(tree.users[user]), endpoint, world.objects_out)
        assert response.status_code == 404, (name, user, response.status_code)


READ_ONLY_WRITES = {"accounts:token_revoke", "accounts:bulk_create"}


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [c for c in CASES if c[1].scoped],
    ids=[i for i, c in zip(IDS, CASES, strict=True) if c[1].scoped],
)
def test_plat_01_in_scope_admin_may_act(client_for, tree, world, name, endpoint):
    secretary = tree.users["secretary"]
    if endpoint.identifiers:
        assert _call(client_for(secretary), endpoint, world.objects_in).status_code == 403
        secretary.can_view_identifiers = True
        secretary.save()
    response = _call(client_for(secretary), endpoint, world.objects_in)
    assert response.status_code not in {401, 403, 404, 500}, (name, response.status_code)


VIEWER_MAY = {
    "job",
    "accounts:token_revoke",
    "compliance:export",
    "compliance:whatif",
    "notices:read",  # one's own notice
    "api:read_notice",
}


@pytest.mark.parametrize(
    ("name", "endpoint"),
    [c for c in CASES if c[1].scoped],
    ids=[i for i, c in zip(IDS, CASES, strict=True) if c[1].scoped],
)
def test_plat_01_viewer_reads_but_cannot_write(client_for, tree, world, name, endpoint):
    viewer = tree.users["county_viewer"]
    objects = dict(world.objects_in)
    Job.objects.filter(pk=objects["job"]).update(created_by=viewer)
    from xianfeng.accounts.models import ApiToken

    ApiToken.objects.filter(pk=objects["token"]).update(user=viewer)
    from xianfeng.notices.models import Notice

    Notice.objects.filter(pk=objects["notice"]).update(user=viewer)
    response = _call(client_for(viewer), endpoint, objects)
    if not endpoint.writes and not endpoint.identifiers or name in VIEWER_MAY:
        assert response.status_code in {200, 302}, (name, response.status_code)
    else:
        assert response.status_code in {403, 404}, (name, response.status_code)
        if name.startswith("accounts:") or name.startswith("api:") and "account" in name:
            return  # account administration is invisible (404) to non-admins
        assert response.status_code == 403, (name, response.status_code)


OUT_CODES = ["CB-T1-B1", "MB1", "王五", "out_account"]
LISTS = [
    "/orgs/",
    "/orgs/?q=白云",
    "/members/",
    "/members/?q=王",
    "/accounts/",
    "/api/orgs",
    "/api/orgs?q=by",
    "/api/members",
    "/api/members?q=王",
    "/api/accounts",
    "/accounts/?q=out",
    "/notices/",
    "/api/notices",
    "/api/findings",
    "/api/findings?rule=ORG-03",
]


@pytest.mark.parametrize("path", LISTS)
def test_plat_01_lists_and_searches_hold_nothing_out_of_scope(client_for, tree, world, path):
    for user in ["secretary", "county_viewer", "member", "nobody"]:
        response = client_for(tree.users[user]).get(path)
        body = response.content.decode()
        assert response.status_code in {200, 403}, (path, user)
        for text in OUT_CODES:
            assert text not in body, (path, user, text)


def test_plat_01_member_account_sees_only_own_record(client_for, tree, world):
    client = client_for(tree.users["member"])
    assert client.get("/members/MA1/").status_code == 200
    assert client.get("/members/MA2/").status_code == 404
    assert client.get("/orgs/CA-T1-B1/").status_code == 404
    assert client.get("/members/me/").status_code == 200
