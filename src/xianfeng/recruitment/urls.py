from django.urls import path

from .views import pipeline

app_name = "recruitment"
urlpatterns = [
    path("orgs/<str:code>/", pipeline.people, name="people"),
]
