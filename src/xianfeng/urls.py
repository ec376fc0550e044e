from django.urls import include, path

from xianfeng.core import views as core_views

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job"),
    path("jobs/<int:pk>/errors.xlsx", core_views.job_errors, name="job_errors"),
    path("data/", core_views.data_page, name="data"),
    path("data/template.xlsx", core_views.import_template, name="data_template"),
    path("data/export/<str:kind>/", core_views.export_download, name="data_export"),
    path("data/export/<str:kind>/job/", core_views.export_job, name="data_export_job"),
    path("jobs/<int:pk>/export.xlsx", core_views.job_export, name="job_export"),
    path("accounts/", include("xianfeng.accounts.urls")),
    path("orgs/", include("xianfeng.orgs.urls")),
    path("members/", include("xianfeng.members.urls")),
    path("orglife/", include("xianfeng.orglife.urls")),
    path("study/", include("xianfeng.study.urls")),
    path("supervision/", include("xianfeng.supervision.urls")),
    path("recruitment/", include("xianfeng.recruitment.urls")),
    path("dues/", include("xianfeng.dues.urls")),
    path("compliance/", include("xianfeng.compliance.urls")),
    path("notices/", include("xianfeng.notices.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
