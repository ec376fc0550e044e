from django.urls import path

from .views import overview, pipeline, steps

app_name = "recruitment"
urlpatterns = [
    path("orgs/<str:code>/", pipeline.people, name="people"),
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
