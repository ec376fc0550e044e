from django.urls import path

from . import views_pdf
from .views import member, month, reductions, totals

app_name = "dues"
urlpatterns = [
    path("me/", member.me, name="me"),
    path("members/<str:code>/", member.member_dues, name="member"),
    path("members/<str:code>/declarations/", member.declare, name="declare"),
    path("members/<str:code>/kinds/", member.set_kind, name="kind"),
    path("members/<str:code>/payments/", member.pay, name="pay"),
    path("members/<str:code>/extra/", member.extra, name="extra"),
    path("members/<str:code>/reductions/", member.propose, name="propose"),
    path("members/<str:code>/quarterly/", member.quarterly, name="quarterly"),
    path("payments/<int:pk>/reverse/", member.reverse_payment, name="reverse"),
    path("orgs/<str:code>/", totals.totals, name="totals"),
    path("orgs/<str:code>/arrears/", totals.arrears, name="arrears"),
    path("orgs/<str:code>/month/", month.current, name="current"),
    path("orgs/<str:code>/month/<str:month>/", month.month_screen, name="month"),
    path("orgs/<str:code>/month/<str:month>/close/", month.close, name="close"),
    path("reductions/", reductions.pending, name="reductions"),
    path("reductions/<int:pk>/decide/", reductions.decide, name="decide"),
    path("members/<str:code>/receipt/<int:year>.pdf", views_pdf.receipt, name="receipt_pdf"),
    path("orgs/<str:code>/disclosure/<int:year>.pdf", views_pdf.disclosure, name="disclosure_pdf"),
]
