from django.urls import include, path

from xianfeng.core import views as core_views

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job"),
    path("accounts/", include("xianfeng.accounts.urls")),
    path("orgs/", include("xianfeng.orgs.urls")),
    path("members/", include("xianfeng.members.urls")),
    path("api/", api.urls),
]
