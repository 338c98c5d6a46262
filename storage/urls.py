"""The storage app's URLs, included once at the site root by ``content_repo/urls.py``.

``/api/v1/uploads/…`` (upload endpoints, storage/api.py) and ``/files/<id>/<name>`` (downloads,
storage/views.py). The include sits before ``api/v1/`` so the API's catch-all for unknown endpoints does not
shadow the uploads.
"""

from django.urls import path

from storage import api
from storage.views import FileDownloadView

app_name = "storage"

urlpatterns = [
    path("api/v1/uploads/", api.UploadView.as_view(), name="upload-list"),
    path("api/v1/uploads/presign/", api.PresignView.as_view(), name="upload-presign"),
    path("api/v1/uploads/<uuid:upload_id>/complete/", api.CompleteView.as_view(), name="upload-complete"),
    path("files/<int:pk>/", FileDownloadView.as_view(), name="download-bare"),
    path("files/<int:pk>/<str:name>", FileDownloadView.as_view(), name="download"),
]
