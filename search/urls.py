"""Search endpoints, mounted under /api/v1/search/ (see search/api.py)."""

urlpatterns: list = []
