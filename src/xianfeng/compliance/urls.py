from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("rules/", views.rule_list, name="rules"),
    path("rules/<str:rule_id>/", views.rule_detail, name="rule"),
    path("orgs/<str:code>/", views.org_findings, name="org_findings"),
    path("orgs/<str:code>/check/", views.check, name="check"),
    path("orgs/<str:code>/subtree/", views.subtree, name="subtree"),
    path("orgs/<str:code>/export.xlsx", views.export, name="export"),
    path("orgs/<str:code>/what-if/", views.whatif, name="whatif"),
    path("orgs/<str:code>/policy/", views.policy, name="policy"),
    path("orgs/<str:code>/policy/adopt/", views.policy_adopt, name="policy_adopt"),
    path("orgs/<str:code>/policy/detach/", views.policy_detach, name="policy_detach"),
    path("orgs/<str:code>/preferences/", views.preference, name="preference"),
]
