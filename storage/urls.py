"""Upload endpoints, mounted under /api/v1/uploads/ (see storage/api.py)."""

from django.urls import path

from storage import api

urlpatterns = [
    path("", api.UploadView.as_view(), name="upload-list"),
    path("presign/", api.PresignView.as_view(), name="upload-presign"),
    path("<uuid:upload_id>/complete/", api.CompleteView.as_view(), name="upload-complete"),
]
