from django.urls import path

from . import views, views_files, views_pdf, views_plan

app_name = "orglife"
urlpatterns = [
    path("my/", views.my_life, name="my"),
    path("my/<int:pk>/leave/", views.leave_ask, name="leave_ask"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/record.pdf", views_pdf.meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/file/", views_files.attachment_file, name="attachment_file"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("exemptions/<int:pk>/decide/", views.exemption_decide, name="exemption_decide"),
    path("materials/<int:pk>/", views.material_detail, name="material_detail"),
    path("materials/<int:pk>/file/", views_files.material_file, name="material_file"),
    path("<str:code>/meetings/", views.meetings, name="meetings"),
    path("<str:code>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<str:code>/calendar/", views.month_view, name="calendar"),
    path("<str:code>/leave/", views.leave_list, name="leave_list"),
    path("<str:code>/exemptions/", views.exemptions, name="exemptions"),
    path("<str:code>/materials/", views.materials, name="materials"),
    path("affairs/<int:pk>/delete/", views.affairs_delete, name="affairs_delete"),
    path("affairs/<int:pk>/file/", views_files.affairs_file, name="affairs_file"),
    path("<str:code>/affairs/", views.affairs, name="affairs"),
    path("<str:code>/plan/<int:year>/", views_plan.plan, name="plan"),
    path("<str:code>/plan/<int:year>/generate/", views_plan.plan_generate, name="plan_generate"),
    path("<str:code>/plan/<int:year>/export/", views_plan.plan_export, name="plan_export"),
    path("<str:code>/overview/", views_plan.overview_page, name="overview"),
    path("<str:code>/overview/export/", views_plan.overview_export, name="overview_export"),
]
