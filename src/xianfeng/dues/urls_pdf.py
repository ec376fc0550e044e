"""The dues PDFs' URLs, kept apart from the pages' `urls.py`: that module adds
`urlpatterns += urls_pdf.urlpatterns` under its `app_name = "dues"`, mounted at dues/."""

from django.urls import path

from . import views_pdf

urlpatterns = [
    path("members/<str:code>/receipt/<int:year>.pdf", views_pdf.receipt, name="receipt_pdf"),
    path("orgs/<str:code>/disclosure/<int:year>.pdf", views_pdf.disclosure, name="disclosure_pdf"),
]
