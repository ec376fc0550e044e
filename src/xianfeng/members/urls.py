from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("me/", views.me, name="me"),
    path("transfers/", views.transfers, name="transfers"),
    path("<str:code>/", views.detail, name="detail"),
]
