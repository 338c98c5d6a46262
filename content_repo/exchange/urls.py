"""Addresses of the exchange: ``/oai/`` (OAI-PMH), the CASE packages and the dumps under ``/api/v1/``."""

from django.urls import path, re_path

from . import views

app_name = "exchange"

urlpatterns = [
    path("oai/", views.oai_endpoint, name="oai"),
    re_path(r"^api/v1/curriculum/case/(?P<framework>[A-Za-z0-9_.\-]+)/$", views.CasePackage.as_view(), name="case"),
    path("api/v1/dumps/", views.DumpList.as_view(), name="dumps"),
    # Any name is read by the view, which serves only the files a dump has (a 404 problem for the rest).
    re_path(r"^api/v1/dumps/(?P<stamp>[^/]+)/(?P<name>.+)$", views.dump_file, name="dump-file"),
]
