from django.urls import path

from .views import duty, findings, items, overview, queue, rhythm, secretaries

app_name = "supervision"
urlpatterns = [
    # --- three-level duty lists (TASK-03) ---
    path("orgs/<str:code>/duty/", duty.duty_template, name="duty_template"),
    path("orgs/<str:code>/duty/items/", duty.duty_item_add, name="duty_item_add"),
    path("orgs/<str:code>/duty/publish/", duty.duty_publish, name="duty_publish"),
    path("orgs/<str:code>/duty/list/", duty.duty_list, name="duty_list"),
    path("duty-items/<int:pk>/remove/", duty.duty_item_remove, name="duty_item_remove"),
    # --- supervision rhythm (TASK-04) ---
    path("orgs/<str:code>/calendar/", rhythm.calendar, name="calendar"),
    path("orgs/<str:code>/calendar/generate/", rhythm.calendar_generate, name="calendar_generate"),
    path("calendar/<int:pk>/done/", rhythm.calendar_done, name="calendar_done"),
    path("orgs/<str:code>/progress/", rhythm.progress, name="progress"),
    path("orgs/<str:code>/progress/new/", rhythm.progress_submit, name="progress_submit"),
    path("orgs/<str:code>/inspections/", rhythm.inspections, name="inspections"),
    path("orgs/<str:code>/inspections/new/", rhythm.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", rhythm.inspection_detail, name="inspection_detail"),
    path("inspection-targets/<int:pk>/", rhythm.inspection_target, name="inspection_target"),
    path(
        "inspection-targets/<int:pk>/problems/",
        rhythm.inspection_problem,
        name="inspection_problem",
    ),
    path("orgs/<str:code>/notices/", rhythm.notices, name="notices"),
    path("orgs/<str:code>/notices/new/", rhythm.notice_create, name="notice_create"),
    path("notices/<int:pk>/", rhythm.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/notice.pdf", rhythm.notice_pdf, name="notice_pdf"),
    path("notices/<int:pk>/publish/", rhythm.notice_publish, name="notice_publish"),
    # findings → problem items; re-inspection (helper B)
    path("orgs/<str:code>/from-findings/", findings.from_findings, name="from_findings"),
    path(
        "orgs/<str:code>/from-findings/create/",
        findings.findings_to_items,
        name="findings_to_items",
    ),
    path("orgs/<str:code>/reinspections/", findings.reinspections, name="reinspections"),
    # --- items: my items, the org's lists, the item page, the queue, the overview ---
    path("mine/", items.my_items, name="mine"),
    path("queue/", queue.queue, name="queue"),
    path("orgs/<str:code>/items/", items.org_items, name="org_items"),
    path("orgs/<str:code>/items/new/", items.item_new, name="item_new"),
    path("orgs/<str:code>/overview/", overview.overview_page, name="overview"),
    path("orgs/<str:code>/overview.xlsx", overview.overview_export, name="overview_export"),
    path("items/<int:pk>/", items.item_detail, name="item"),
    path("items/<int:pk>/start/", items.item_start, name="item_start"),
    path("items/<int:pk>/submit/", items.item_submit, name="item_submit"),
    path("items/<int:pk>/accept/", items.item_accept, name="item_accept"),
    path("items/<int:pk>/return/", items.item_return, name="item_return"),
    path("items/<int:pk>/extension/", items.item_extension, name="item_extension"),
    path("extensions/<int:pk>/decide/", items.extension_decide, name="extension_decide"),
    path("files/<int:pk>/", items.item_file, name="item_file"),
    # secretary-led projects (TASK-05), admonitions (TASK-06), duty reports (TASK-07)
    path("orgs/<str:code>/projects/", secretaries.projects, name="projects"),
    path("orgs/<str:code>/projects/new/", secretaries.project_create, name="project_create"),
    path(
        "orgs/<str:code>/projects/coverage/",
        secretaries.project_coverage_page,
        name="project_coverage",
    ),
    path("projects/<int:pk>/", secretaries.project_detail, name="project"),
    path(
        "projects/<int:pk>/milestones/", secretaries.project_milestones, name="project_milestones"
    ),
    path("projects/<int:pk>/complete/", secretaries.project_complete, name="project_complete"),
    path("orgs/<str:code>/admonitions/", secretaries.admonitions, name="admonitions"),
    path(
        "orgs/<str:code>/admonitions/new/", secretaries.admonition_create, name="admonition_create"
    ),
    path("my/admonitions/", secretaries.my_admonitions, name="my_admonitions"),
    path("orgs/<str:code>/proposals/", secretaries.proposals, name="proposals"),
    path("proposals/<int:pk>/decide/", secretaries.proposal_decide, name="proposal_decide"),
    path("orgs/<str:code>/duty-reports/", secretaries.duty_reports, name="duty_reports"),
    path(
        "orgs/<str:code>/duty-reports/new/",
        secretaries.duty_report_create,
        name="duty_report_create",
    ),
    path(
        "orgs/<str:code>/duty-reports/coverage/",
        secretaries.report_coverage_page,
        name="report_coverage",
    ),
]
