"""Addresses of the teachers' site, mounted at ``/`` beside ``/admin/`` and ``/api/v1/``."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.cache import cache_page

from . import views
from .sitemaps import SITEMAPS

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("resources/<uuid:pk>/", views.resource, name="resource"),
    path("curriculum/", views.curriculum_index, name="curriculum"),
    path("curriculum/topics/<str:code>/", views.curriculum_topic, name="topic"),
    path("curriculum/<slug:code>/", views.curriculum_subject, name="subject"),
    path("curriculum/<slug:code>/<int:grade>/", views.curriculum_grade, name="grade"),
    path("collections/", views.collections, name="collections"),
    path("collections/<slug:slug>/", views.collection, name="collection"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", cache_page(600)(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
