from django.urls import path

from . import views, views_talents

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.create, name="create"),
    path("me/", views.me, name="me"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    path("transfers/<int:pk>/reject/", views.transfer_reject, name="transfer_reject"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/status/", views.change_status, name="status"),
    path("<str:code>/transfer/", views.send_transfer, name="send_transfer"),
    path("<str:code>/id-number/", views.reveal_id, name="reveal_id"),
    path("orgs/<str:code>/dual-lead/", views_talents.dual_lead, name="dual_lead"),
    path("orgs/<str:code>/birthdays/", views_talents.birthdays, name="birthdays"),
    path("orgs/<str:code>/birthdays.xlsx", views_talents.birthdays_export, name="birthdays_xlsx"),
    path("<str:code>/talents/", views_talents.member_talents, name="talents"),
    path("<str:code>/talents/dual-lead/", views_talents.dual_lead_add, name="dual_lead_add"),
    path(
        "<str:code>/talents/dual-lead/<int:pk>/withdraw/",
        views_talents.dual_lead_withdraw,
        name="dual_lead_withdraw",
    ),
    path("<str:code>/talents/tags/", views_talents.tag_add, name="tag_add"),
    path("<str:code>/talents/tags/<int:pk>/end/", views_talents.tag_end, name="tag_end"),
    path("<str:code>/discipline/", views_talents.member_discipline, name="discipline"),
    path("<str:code>/discipline/<int:pk>/", views_talents.discipline_edit, name="discipline_edit"),
]
