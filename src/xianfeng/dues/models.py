"""Party dues (DUES-01, DUES-02): each member's dues kind and declared base, the monthly
ledger, payments, closed months, hardship reductions and quarterly arrangements.

`Due` is one member-month of the ledger: what the member owes for that month (computed by
`dues.ledger` from the dues kind, the declared base, the policy's brackets and an approved
reduction) and what has been paid against it (the sum of the month's `Payment` rows, kept
in the same transaction as each payment). Payments are append-only: a wrong one is undone
by a reversing entry, never edited or deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xianfeng.core.history import tracked

ACCOUNT = settings.AUTH_USER_MODEL


class DuesKind(models.TextChoices):
    """党费类别: how a member's monthly dues are worked out (not the member `category`)."""

    SALARIED = "salaried", _("在职（工资收入）")
    SELF_EMPLOYED = "self_employed", _("个体经营等其他收入")
    RETIRED = "retired", _("离退休")
    FARMER = "farmer", _("农民")
    MINIMUM = "minimum", _("学生、下岗失业、领取最低生活保障")


# kinds whose dues are a percentage of a declared base
BASED_KINDS = (DuesKind.SALARIED, DuesKind.SELF_EMPLOYED, DuesKind.RETIRED)


class KindSpell(models.Model):
    """A member's dues kind from a date (retirement, unemployment take effect from a date);
    a member without one has the kind their member category implies (`ledger.default_kind`)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_kinds"
    )
    kind = models.CharField(_("党费类别"), max_length=16, choices=DuesKind)
    started_on = models.DateField(_("起始日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    entered_by = models.ForeignKey(ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(auto_now_add=True)
    history = tracked()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "started_on"], name="dues_kind_once_a_day")
        ]
        ordering = ["member", "started_on"]


class Declaration(models.Model):
    """A member's declared monthly base (党费基数申报) for a year (`2025`) or, for the
    self-employed, a quarter (`2025-Q1`)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_declarations"
    )
    period = models.CharField(_("申报期间"), max_length=7)
    monthly_base = models.DecimalField(_("月缴费基数（元）"), max_digits=12, decimal_places=2)
    declared_on = models.DateField(_("申报日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    entered_by = models.ForeignKey(ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(auto_now_add=True)
    history = tracked()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="dues_declared_once")
        ]
        ordering = ["member", "period"]


class Due(models.Model):
    """One member-month of the ledger: owed (`amount`; None while no base is known) and
    paid (the month's payments, reversals netted)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues")
    month = models.DateField(_("月份"))  # the month's first day
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="dues")
    kind = models.CharField(_("党费类别"), max_length=16, choices=DuesKind)
    base = models.DecimalField(_("基数"), null=True, blank=True, max_digits=12, decimal_places=2)
    base_period = models.CharField(_("基数申报期间"), max_length=7, blank=True)
    rate = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2, null=True)
    amount = models.DecimalField(
        _("应交（元）"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    reduction = models.ForeignKey(
        "Reduction", null=True, blank=True, on_delete=models.SET_NULL, related_name="dues"
    )
    paid = models.DecimalField(_("已交（元）"), default=0, max_digits=12, decimal_places=2)
    settled = models.BooleanField(_("已交清"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_one_line_a_month")
        ]
        indexes = [
            models.Index(fields=["org", "month"], name="dues_due_org_month"),
            models.Index(
                fields=["month", "member"],
                condition=Q(settled=False),
                name="dues_due_unsettled",
            ),
        ]


class MonthTotal(models.Model):
    """The sums of one org's ledger lines for one month, kept by `dues.kept_totals` in the
    same transaction as every write to the lines: the totals tables read these (a city's
    year is 120,000 of them instead of 3.6 M lines)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="dues_totals")
    month = models.DateField(_("月份"))
    due = models.DecimalField(_("应交（元）"), default=0, max_digits=14, decimal_places=2)
    paid = models.DecimalField(_("已交（元）"), default=0, max_digits=14, decimal_places=2)
    owed = models.DecimalField(_("未交（元）"), default=0, max_digits=14, decimal_places=2)
    undeclared = models.IntegerField(_("未申报基数"), default=0)
    unsettled = models.IntegerField(_("未交清"), default=0)
    lines = models.IntegerField(_("应交人月"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "month"], name="dues_total_org_month")
        ]
        indexes = [models.Index(fields=["month", "org"], name="dues_total_month_org")]


class PaymentKind(models.TextChoices):
    DUES = "dues", _("党费")
    REVERSAL = "reversal", _("冲正")
    EXTRA = "extra", _("自愿多交党费")


class Payment(models.Model):
    """One entry of the append-only ledger: a payment for a month, a reversing entry that
    undoes one, or a voluntary extra payment (kept apart from the dues owed)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_payments"
    )
    month = models.DateField(_("所属月份"))
    kind = models.CharField(_("类别"), max_length=10, choices=PaymentKind, default=PaymentKind.DUES)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("交纳日期"))
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="dues_payments")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    entered_by = models.ForeignKey(ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = tracked()

    class Meta:
        indexes = [
            models.Index(fields=["member", "month"], name="dues_payment_member_month"),
            models.Index(fields=["org", "month"], name="dues_payment_org_month"),
        ]
        ordering = ["member", "month", "id"]


class MonthClose(models.Model):
    """A branch officer's explicit closing of a month's collection (payments recorded)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="dues_closes")
    month = models.DateField(_("月份"))
    closed_on = models.DateField(_("结账日期"))
    closed_by = models.ForeignKey(ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(auto_now_add=True)
    history = tracked()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "month"], name="dues_month_closed_once")
        ]


class ReductionState(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class Reduction(models.Model):
    """A hardship reduction or waiver (减免): the branch proposes, a higher committee
    approves; the ledger then uses `monthly_amount` (0: waived) for the months covered."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_reductions"
    )
    first_month = models.DateField(_("起始月份"))
    last_month = models.DateField(_("截止月份"))
    monthly_amount = models.DecimalField(_("减免后每月应交（元）"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("理由"))
    proposed_by_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="dues_reductions_proposed"
    )
    proposed_on = models.DateField(_("提出日期"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ReductionState, default=ReductionState.PROPOSED
    )
    decided_by_org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dues_reductions_decided",
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = tracked()

    class Meta:
        ordering = ["member", "first_month"]


class Arrangement(models.Model):
    """A branch's consent that a member pays quarterly (按季交纳) from a month on; the
    arrears rule counts a quarter's months only after the quarter's payment day."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_arrangements"
    )
    first_month = models.DateField(_("起始月份"))
    last_month = models.DateField(_("截止月份"), null=True, blank=True)
    agreed_on = models.DateField(_("支部同意日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    entered_by = models.ForeignKey(ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL)
    history = tracked()

    class Meta:
        ordering = ["member", "first_month"]


class Remittance(models.Model):
    """What an org hands up to the higher committee for a period (党费上缴)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="dues_remittances")
    period = models.CharField(_("期间"), max_length=7)
    amount = models.DecimalField(_("上缴金额（元）"), max_digits=12, decimal_places=2)
    remitted_on = models.DateField(_("上缴日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    entered_by = models.ForeignKey(ACCOUNT, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(auto_now_add=True)
    history = tracked()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "period"], name="dues_remitted_once")]
