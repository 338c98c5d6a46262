"""Addresses of the exchange: ``/oai/`` (OAI-PMH), the CASE packages and the dumps under ``/api/v1/``."""

from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("oai/", views.oai_endpoint, name="oai"),
]
