from django.urls import path

from . import views

app_name = "study"
urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my_study, name="my"),
    path("members/<str:code>/", views.member_study, name="member"),
    path("members/<str:code>/records/", views.record_add, name="record_add"),
    path("members/<str:code>/plan/", views.personal_plan, name="personal_plan"),
    path("members/<str:code>/plan/new/", views.personal_plan_create, name="personal_plan_create"),
    path("records/<int:pk>/decide/", views.record_decide, name="record_decide"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:pk>/file/", views.course_file, name="course_file"),
    path("plans/<int:pk>/items/", views.plan_item_add, name="plan_item_add"),
    path("plan-items/<int:pk>/done/", views.plan_item_done, name="plan_item_done"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/enroll/", views.class_enroll, name="class_enroll"),
    path("classes/<int:pk>/attendance/", views.class_attendance, name="class_attendance"),
    path("orgs/<str:code>/", views.org_study, name="org"),
    path("orgs/<str:code>/compliance/", views.compliance, name="compliance"),
    path("orgs/<str:code>/compliance.xlsx", views.compliance_export, name="compliance_export"),
    path("orgs/<str:code>/courses/", views.courses, name="courses"),
    path("orgs/<str:code>/courses/new/", views.course_create, name="course_create"),
    path("orgs/<str:code>/must-learn/", views.must_learn, name="must_learn"),
    path("orgs/<str:code>/plan/", views.org_plan, name="org_plan"),
    path("orgs/<str:code>/plan/new/", views.org_plan_create, name="org_plan_create"),
    path("orgs/<str:code>/classes/", views.classes, name="classes"),
    path("orgs/<str:code>/classes/new/", views.class_create, name="class_create"),
]
