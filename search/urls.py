"""Search endpoints, mounted under /api/v1/search/ (see search/api.py)."""

from django.urls import path

from .api import SearchView, SuggestView

urlpatterns = [
    path("", SearchView.as_view(), name="search"),
    path("suggest/", SuggestView.as_view(), name="search-suggest"),
]
