from django.urls import path

from .views import cultivation, overview, pipeline, steps, talent, targets

app_name = "recruitment"
urlpatterns = [
    path("orgs/<str:code>/", pipeline.people, name="people"),
    # --- D: the three cultivations, targets, the talent pool (DEV-03 … DEV-07) ---
    path("orgs/<str:code>/cultivations/", cultivation.cultivations, name="cultivations"),
    path("orgs/<str:code>/cultivations/new/", cultivation.cultivation_new, name="cultivation_new"),
    path("cultivations/<int:pk>/", cultivation.cultivation_detail, name="cultivation"),
    path("cultivations/<int:pk>/entries/", cultivation.cultivation_entry, name="cultivation_entry"),
    path(
        "cultivations/<int:pk>/status/", cultivation.cultivation_status, name="cultivation_status"
    ),
    path("cultivations/<int:pk>/pair/", cultivation.cultivation_pair, name="cultivation_pair"),
    path("orgs/<str:code>/targets/", targets.targets, name="targets"),
    path("orgs/<str:code>/targets/progress/", targets.progress, name="progress"),
    path("orgs/<str:code>/talent/", talent.talent_list, name="talent_list"),
    path("orgs/<str:code>/talent/new/", talent.talent_new, name="talent_new"),
    path("talent/<int:pk>/", talent.talent_detail, name="talent"),
    path("talent/<int:pk>/edit/", talent.talent_edit, name="talent_edit"),
    path("talent/<int:pk>/cultivate/", talent.talent_cultivate, name="talent_cultivate"),
    path("talent/<int:pk>/pipeline/", talent.talent_pipeline, name="talent_pipeline"),
    path("talent/<int:pk>/left/", talent.talent_left, name="talent_left"),
    path("orgs/<str:code>/new/", pipeline.person_new, name="person_new"),
    path("orgs/<str:code>/overview/", overview.overview, name="overview"),
    path("people/<int:pk>/", pipeline.person, name="person"),
    path("people/<int:pk>/record.pdf", pipeline.record_pdf, name="record_pdf"),
    path("people/<int:pk>/steps/new/", steps.step_new, name="step_new"),
    path("people/<int:pk>/mentors/", steps.mentors, name="mentors"),
    path("people/<int:pk>/introducers/", steps.introducers, name="introducers"),
    path("people/<int:pk>/transfer/", steps.transfer, name="transfer"),
    path("people/<int:pk>/end/", steps.end, name="end"),
    path("steps/<int:pk>/files/", steps.step_files, name="step_files"),
    path("files/<int:pk>/", steps.step_file, name="step_file"),
]
