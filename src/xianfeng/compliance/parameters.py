"""Every policy parameter the rules read (PLAT-04): its type, unit and allowed range.

A policy file may set only these keys; a value of the wrong type or out of range is
refused with the policy, the key and the reason. National defaults and their sources are
in policies/national.toml; local policies override them key by key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Param:
    kind: type  # int, float, bool, str or list
    title: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()

    def check(self, value: Any) -> str | None:
        """The reason `value` is not acceptable, or None."""
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            return f"应为{_TYPE_NAMES[self.kind]}，收到 {value!r}"
        if isinstance(value, int | float):
            if self.min is not None and value < self.min:
                return f"不能小于 {self.min:g}{self.unit}"
            if self.max is not None and value > self.max:
                return f"不能大于 {self.max:g}{self.unit}"
        if self.choices and isinstance(value, str) and value not in self.choices:
            return f"未知的取值 {value!r}，可选：{', '.join(self.choices)}"
        if self.choices and isinstance(value, list):
            unknown = [v for v in value if v not in self.choices]
            if unknown:
                return f"未知的取值 {unknown}，可选：{', '.join(self.choices)}"
        return None


_TYPE_NAMES = {int: "整数", float: "数值", bool: "布尔值（true/false）", str: "文本", list: "列表"}
# compliance.models.Severity values: a finding's severity chosen by policy.
SEVERITIES = ("error", "warning", "info")
SECTORS = (
    "rural",
    "community",
    "government",
    "institution",
    "soe",
    "private",
    "social",
    "school",
    "hospital",
)
# orgs.models.OrgKind values and the venue items (orgs.models.VENUE_ITEMS plus the
# disclosure board), spelled out: parameters must not import the orgs models.
ORG_KINDS = (
    "party_committee",
    "working_committee",
    "general_branch",
    "branch",
    "joint_branch",
    "party_group",
    "temporary_org",
    "industry_joint_org",
)
VENUE_ITEMS = (
    "has_room",
    "has_sign",
    "has_flag",
    "has_facilities",
    "has_rules",
    "has_reading",
    "has_disclosure_board",
)
STUDY_SOURCES = ("training", "meeting", "online", "self_study", "imported")  # RecordSource
LEVELS = ("province", "city", "county", "town", "village", "unit")
DISCIPLINE_KINDS = ("warning", "serious_warning", "removal", "probation", "expulsion")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

PARAMETERS: dict[str, Param] = {
    # ORG-03 setup thresholds
    "org.setup.branch_min_full": Param(int, "党支部最少正式党员数", "人", 1, 50),
    "org.setup.branch_max_full": Param(int, "党支部最多正式党员数", "人", 3, 500),
    "org.setup.committee_min_full": Param(int, "成立党委的最少正式党员数", "人", 10, 10000),
    "org.setup.party_group_from_members": Param(int, "应划分党小组的党员人数", "人", 2, 500),
    "org.setup.committee_min_sizes_levels": Param(
        list,
        "按规模检查党委设置的层级",
        choices=("province", "city", "county", "town", "village", "unit"),
    ),
    # ORG-04 leadership and terms
    "org.leadership.required_from_full": Param(int, "设立支部委员会的正式党员数", "人", 3, 100),
    "org.leadership.committee_min_seats": Param(int, "委员会最少班子成员数", "人", 2, 15),
    "org.term.years_default": Param(int, "基层党组织每届任期（默认）", "年", 1, 10),
    "org.term.years_rural": Param(int, "村党组织每届任期", "年", 1, 10),
    "org.term.years_community": Param(int, "社区党组织每届任期", "年", 1, 10),
    "org.term.years_government": Param(int, "机关党组织每届任期", "年", 1, 10),
    "org.term.years_local_committee": Param(int, "乡镇及以上地方党委每届任期", "年", 1, 10),
    "org.term.max_extension_months": Param(int, "换届延期最长月数", "月", 0, 24),
    "org.term.reminder_months": Param(list, "换届提醒提前月数"),
    # ORG-05 vacancies
    "org.vacancy.max_months": Param(int, "班子职务空缺最长月数", "月", 1, 36),
    # ORG-07 contact points
    "org.contact.leader_kinds": Param(list, "班子成员须建立联系点的党组织类别", choices=ORG_KINDS),
    "org.contact.min_points_per_leader": Param(int, "每名班子成员联系点数", "个", 0, 10),
    "org.contact.min_visits_per_year": Param(int, "班子成员每年走访指导联系点次数", "次", 0, 52),
    "org.contact.reports_per_quarter": Param(int, "每季度听取联系点党建工作汇报次数", "次", 0, 12),
    "org.contact.visits_per_quarter": Param(int, "每季度到联系点走访调研次数", "次", 0, 12),
    "org.contact.problems_per_quarter": Param(int, "每季度为联系点解决实际问题个数", "个", 0, 12),
    # ORG-08 staff and venues
    "org.venue.required_kinds": Param(
        list, "须按标准建设党建活动阵地的党组织类别", choices=ORG_KINDS
    ),
    "org.venue.items": Param(list, "党建活动阵地标准项目", choices=VENUE_ITEMS),
    "org.staff.min_full_time_committee": Param(int, "机关党委、党总支专职党务干部", "人", 0, 20),
    "org.staff.min_full_time_branch": Param(int, "党支部专职党务干部", "人", 0, 20),
    "org.staff.min_ratio": Param(float, "专职党务干部占职工比例下限", "", 0, 1),
    "org.staff.max_ratio": Param(float, "专职党务干部占职工比例上限", "", 0, 1),
    # ORG-09 budget
    "org.budget.per_member_yuan": Param(int, "每名党员党建活动经费", "元", 0, 100000),
    # LIFE-01…05 organizational life
    "life.general_meeting.min_per_quarter": Param(int, "党员大会每季度最少次数", "次", 0, 12),
    "life.committee_meeting.min_per_month": Param(int, "支委会每月最少次数", "次", 0, 10),
    "life.party_group_meeting.min_per_month": Param(int, "党小组会每月最少次数", "次", 0, 10),
    "life.party_lesson.secretary_min_per_year": Param(int, "书记每年讲党课次数", "次", 0, 12),
    "life.party_lesson.member_min_per_year": Param(int, "党员每年参加党课次数", "次", 0, 12),
    "life.party_lesson.leading_cadre_min_per_year": Param(
        int, "党员领导干部每年到所在党支部讲党课次数", "次", 0, 12
    ),
    "life.theme_day.min_per_month": Param(int, "主题党日每月最少次数", "次", 0, 5),
    "life.theme_day.fixed_day_of_month": Param(int, "主题党日固定日（0为不固定）", "日", 0, 28),
    "life.theme_day.fixed_day_sectors": Param(list, "固定日适用的领域", choices=SECTORS),
    "life.theme_day.shift_window_days": Param(int, "节假日顺延窗口", "天", 0, 15),
    "life.theme_day.weekdays": Param(list, "机关事业单位主题党日星期", choices=WEEKDAYS),
    "life.theme_day.weekday_sectors": Param(list, "按星期安排主题党日的领域", choices=SECTORS),
    "life.life_meeting.min_per_year": Param(int, "组织生活会每年最少次数", "次", 0, 4),
    "life.life_meeting.grace_months": Param(
        int, "年度组织生活会、民主生活会次年补开月数", "月", 0, 12
    ),
    "life.life_meeting.late_severity": Param(
        str, "年度组织生活会、民主生活会逾期补开的问题等级", choices=SEVERITIES
    ),
    "life.leadership_life_meeting.min_per_year": Param(int, "民主生活会每年最少次数", "次", 0, 4),
    "life.absence.consecutive_limit": Param(int, "连续无故缺席次数上限", "次", 1, 24),
    "life.no_org_life.months": Param(int, "连续未参加组织生活月数（自行脱党情形）", "月", 1, 24),
    # LIFE-07 party-affairs openness, LIFE-08 heart-to-heart talks and ideological analysis
    "life.disclosure.monthly_kinds": Param(list, "须每月党务公开的党组织类别", choices=ORG_KINDS),
    "life.disclosure.grace_days": Param(int, "月度党务公开的补登天数", "天", 0, 60),
    "life.affairs_report.kinds": Param(list, "单位党组织（通报、报告）的类别", choices=ORG_KINDS),
    "life.affairs_report.sectors": Param(list, "须通报、报告党建工作的领域", choices=SECTORS),
    "life.affairs_report.to_members_per_half": Param(
        int, "每半年向全体党员通报党建工作次数", "次", 0, 1
    ),
    "life.affairs_report.upward_per_year": Param(int, "每年向上级书面报告党建工作次数", "次", 0, 1),
    "life.affairs_report.grace_days": Param(int, "通报、报告的补交天数", "天", 0, 120),
    "life.affairs_report.late_severity": Param(
        str, "党务公开、通报、报告和思想状况分析逾期完成的问题等级", choices=SEVERITIES
    ),
    "life.heart_talk.leadership_pairs_min_per_year": Param(
        int, "班子成员两两之间每年谈心谈话次数", "次", 0, 12
    ),
    "life.heart_talk.member_min_per_year": Param(
        int, "党员每年与班子成员谈心谈话次数", "次", 0, 12
    ),
    "life.heart_talk.min_months_together": Param(
        int, "班子成员共同任职满多少个月才检查谈话", "月", 0, 12
    ),
    "life.ideological_analysis.min_per_year": Param(int, "每年思想状况分析次数", "次", 0, 1),
    "life.ideological_analysis.sectors": Param(list, "须开展思想状况分析的领域", choices=SECTORS),
    "life.ideological_analysis.grace_days": Param(int, "思想状况分析的补登天数", "天", 0, 120),
    "life.reminder.days_before": Param(int, "组织生活到期前提醒天数", "天", 0, 60),
    # STUDY-01
    "study.hours.member_min": Param(float, "党员每年集中学习培训学时", "学时", 0, 500),
    "study.hours.leader_min": Param(float, "书记、班子成员每年集中学习培训学时", "学时", 0, 500),
    "study.training.leader_min_per_year": Param(int, "班子成员每年集中培训次数", "次", 0, 12),
    "study.concentrated_sources": Param(list, "计入集中学习培训的学时来源", choices=STUDY_SOURCES),
    "study.cap.training": Param(float, "培训班每年计入学时上限（0为不设上限）", "学时", 0, 500),
    "study.cap.meeting": Param(
        float, "党课和专题学习每年计入学时上限（0为不设上限）", "学时", 0, 500
    ),
    "study.cap.online": Param(float, "网络学习每年计入学时上限（0为不设上限）", "学时", 0, 500),
    "study.cap.self_study": Param(float, "个人自学每年计入学时上限（0为不设上限）", "学时", 0, 500),
    "study.cap.imported": Param(float, "平台外学习每年计入学时上限（0为不设上限）", "学时", 0, 500),
    "study.meeting_hours.party_lesson": Param(float, "参加一次党课认定学时", "学时", 0, 24),
    "study.meeting_hours.study_session": Param(
        float, "参加一次专题学习研讨认定学时", "学时", 0, 24
    ),
    "study.pace.check_after_months": Param(int, "年中学时进度提示起始月数", "月", 1, 11),
    "study.pace.min_share": Param(float, "年中应完成的按日折算学时比例", "", 0, 1),
    # STUDY-03
    "study.plan.org_kinds": Param(list, "须制定年度学习计划的党组织类别", choices=ORG_KINDS),
    "study.plan.due_months": Param(int, "年度学习计划应在年初几个月内制定", "月", 0, 12),
    "study.plan.min_arrangements_per_quarter": Param(int, "每季度学习安排最少条数", "条", 0, 12),
    "study.plan.min_tasks_per_month": Param(int, "每月学习任务最少条数", "条", 0, 12),
    "study.plan.leading_cadre_personal": Param(bool, "党员领导干部须制定个人自学计划"),
    "study.plan.personal_min_items_per_month": Param(
        int, "个人自学计划每月安排最少条数", "条", 0, 12
    ),
    # STUDY-04
    "study.practical.min_per_quarter": Param(int, "乡镇党委每季度实用技术培训次数", "次", 0, 12),
    "study.rotation.min_per_year": Param(int, "机关党组织每年集中轮训次数", "次", 0, 12),
    "study.rotation.min_days": Param(float, "集中轮训最少天数", "天", 0, 30),
    "study.rotation.sectors": Param(list, "须组织集中轮训的党组织领域", choices=SECTORS),
    "study.rotation.member_min_per_year": Param(int, "机关党员每年参加集中轮训次数", "次", 0, 12),
    "study.dual_lead.min_per_year": Param(int, "“双带”型党员骨干示范培训班每年期数", "期", 0, 12),
    "study.dual_lead.levels": Param(list, "举办“双带”骨干示范培训班的党委层级", choices=LEVELS),
    # DUES
    "dues.arrears.warning_months": Param(int, "欠缴党费预警月数", "月", 1, 12),
    "dues.arrears.lapse_months": Param(int, "连续不交党费视为自行脱党的月数", "月", 1, 24),
    "dues.salaried.upper_bounds": Param(list, "在职党员党费各档收入上限（含）", "元"),
    "dues.salaried.rates": Param(list, "在职党员党费各档比例", "%"),
    "dues.self_employed.upper_bounds": Param(list, "个体经营等党员党费各档收入上限（含）", "元"),
    "dues.self_employed.rates": Param(list, "个体经营等党员党费各档比例", "%"),
    "dues.retired.upper_bounds": Param(list, "离退休党员党费各档收入上限（含）", "元"),
    "dues.retired.rates": Param(list, "离退休党员党费各档比例", "%"),
    "dues.farmer.default_yuan": Param(float, "农民党员每月党费（支部未确定时）", "元", 0.2, 1),
    "dues.minimum.monthly_yuan": Param(float, "学生、下岗失业、低保党员每月党费", "元", 0, 1),
    "dues.back_payment.max_months": Param(int, "补交党费最多月数", "月", 0, 24),
    "dues.advance.max_months": Param(int, "预交党费最多月数", "月", 0, 24),
    "dues.close.days_after": Param(int, "次月几日前结账", "天", 1, 28),
    "dues.payment.default_day": Param(int, "党费集中交纳日（支部未设定时）", "日", 1, 28),
    "dues.payment.remind_days_before": Param(int, "党费集中交纳日前几天起提醒", "天", 0, 28),
    "dues.declaration.due_month": Param(int, "年度党费基数申报截止月份", "月", 1, 12),
    # TASK
    "supervision.deadline.error_days": Param(int, "“问题”等级事项默认整改时限", "天", 1, 365),
    "supervision.deadline.warning_days": Param(int, "“提醒”等级事项默认整改时限", "天", 1, 365),
    "supervision.deadline.info_days": Param(int, "“提示”等级事项默认整改时限", "天", 1, 365),
    "supervision.overdue.grace_days": Param(int, "事项逾期宽限天数", "天", 0, 90),
    "supervision.returns.max": Param(int, "事项退回次数上限", "次", 1, 10),
    "supervision.reinspection.months": Param(int, "回头看抽取最近销号的月数", "月", 1, 24),
    "supervision.reinspection.share": Param(float, "回头看抽样比例", "", 0.01, 1),
    "supervision.progress.due_days": Param(int, "季度推进情况报送期限（季度结束后）", "天", 0, 60),
    "supervision.progress.sectors": Param(list, "须报送季度推进情况的领域", choices=SECTORS),
    "supervision.progress.kinds": Param(list, "须报送季度推进情况的党组织类别", choices=ORG_KINDS),
    "supervision.inspection.share": Param(float, "半年督查抽样比例", "", 0.01, 1),
    "supervision.inspection.min_per_stratum": Param(int, "半年督查每层至少抽取", "个", 1, 100),
    "supervision.project.due_month": Param(int, "书记领办项目立项截止月", "月", 1, 12),
    "supervision.project.due_day": Param(int, "书记领办项目立项截止日", "日", 1, 31),
    "supervision.admonition.window_months": Param(int, "两次约谈间隔月数", "月", 1, 36),
    "supervision.admonition.decision_days": Param(int, "岗位调整建议决定期限", "天", 1, 365),
    "supervision.duty_report.due_month": Param(int, "书记述职截止月", "月", 1, 12),
    "supervision.duty_report.due_day": Param(int, "书记述职截止日", "日", 1, 31),
    "supervision.duty_report.ratings": Param(list, "述职评议等次"),
    "recruitment.application.min_age": Param(int, "入党申请人最低年龄", "周岁", 18, 18),
    "recruitment.application.talk_months": Param(int, "收到申请后谈话时限", "月", 1, 3),
    "recruitment.activist.min_mentors": Param(int, "培养联系人最少人数", "名", 1, 2),
    "recruitment.activist.max_mentors": Param(int, "培养联系人最多人数", "名", 1, 2),
    "recruitment.activist.review_months": Param(int, "积极分子考察间隔", "月", 1, 12),
    "recruitment.activist.min_years": Param(int, "积极分子最短培养期", "年", 1, 3),
    "recruitment.activist.report_months": Param(int, "思想汇报间隔", "月", 1, 12),
    "recruitment.notice.min_workdays": Param(int, "公示最少工作日", "个工作日", 5, 30),
    "recruitment.training.min_days": Param(int, "短期集中培训最少天数", "天", 3, 30),
    "recruitment.training.min_hours": Param(int, "短期集中培训最少学时", "学时", 24, 240),
    "recruitment.introducers.count": Param(int, "入党介绍人人数", "名", 2, 2),
    "recruitment.introducers.blocking": Param(
        list, "不能作入党介绍人的处分", choices=DISCIPLINE_KINDS
    ),
    "recruitment.admission.meeting_months": Param(int, "预审后支部大会讨论时限", "月", 1, 3),
    "recruitment.admission.approval_months": Param(int, "党委审批时限", "月", 1, 3),
    "recruitment.admission.approval_special_months": Param(int, "特殊情况审批时限", "月", 3, 6),
    "recruitment.admission.approval_kinds": Param(list, "有审批权的党组织类别", choices=ORG_KINDS),
    "recruitment.admission.oath_months": Param(int, "审批后入党宣誓时限", "月", 1, 3),
    "recruitment.probation.months": Param(int, "预备期", "月", 12, 12),
    "recruitment.probation.extension_min_months": Param(int, "延长预备期最短", "月", 6, 12),
    "recruitment.probation.extension_max_months": Param(int, "延长预备期最长", "月", 6, 12),
    "recruitment.probation.conversion_months": Param(int, "转正审批时限", "月", 1, 6),
    "recruitment.reminders.lead_days": Param(int, "发展环节到期提前提醒", "天", 0, 60),
    "recruitment.cultivation.member_to_talent_trainings": Param(
        int, "方向（一）每年培训次数", "次", 0, 24
    ),
    "recruitment.cultivation.talent_to_member_sessions": Param(
        int, "方向（二）每年理论学习次数", "次", 0, 24
    ),
    "recruitment.pairing.cadre_kinds": Param(list, "方向（三）配对的党组织类别", choices=ORG_KINDS),
    "recruitment.pairing.cadre_levels": Param(list, "方向（三）配对的党组织层级", choices=LEVELS),
    "recruitment.pairing.talent_kinds": Param(
        list, "方向（一）配对的党组织类别", choices=ORG_KINDS
    ),
    "recruitment.pairing.talent_levels": Param(list, "方向（一）配对的党组织层级", choices=LEVELS),
    "recruitment.pairing.member_kinds": Param(
        list, "方向（二）配对的党组织类别", choices=ORG_KINDS
    ),
    "recruitment.focus.rural": Param(list, "农村党组织培养重点（人才类型、干部岗位）"),
    "recruitment.focus.enterprise": Param(list, "企业党组织培养重点（人才类型、干部岗位）"),
    "recruitment.focus.community": Param(list, "社区党组织培养重点（人才类型、干部岗位）"),
    "recruitment.focus.government": Param(list, "机关事业单位党组织培养重点（人才类型、干部岗位）"),
    "recruitment.targets.pace_share": Param(float, "上半年末应完成的目标比例", "", 0, 1),
    "recruitment.targets.talent_ratio": Param(float, "党员人才比率目标", "", 0, 1),
    "members.tags.talent": Param(list, "党员人才标签目录"),
    "members.tags.skills": Param(list, "实用技术目录"),
    "members.dual_lead.must_rise": Param(bool, "“双带”型党员比例须逐年提高"),
    "members.dual_lead.min_members": Param(int, "计算“双带”比例变化的最少党员数", "人", 1, 1000),
}
