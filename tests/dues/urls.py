"""The site's URLs with the dues PDFs mounted as dues/urls.py will mount them."""

from django.urls import include, path

from xianfeng.dues import urls_pdf
from xianfeng.urls import urlpatterns as site

urlpatterns = [*site, path("dues/", include((urls_pdf.urlpatterns, "dues")))]
