from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("directory/", views.directory_search, name="directory"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/edit/", views.edit, name="edit"),
    path("<str:code>/new/", views.create, name="create"),
    path("<str:code>/leadership/", views.leadership, name="leadership"),
    path("<str:code>/leadership/seats/", views.seat_add, name="seat_add"),
    path("<str:code>/leadership/seats/<int:seat_id>/end/", views.seat_end, name="seat_end"),
    path("<str:code>/leadership/terms/", views.term_add, name="term_add"),
]
