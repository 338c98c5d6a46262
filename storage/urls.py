"""The storage app's URLs, included once at the site root by ``content_repo/urls.py``.

``/api/v1/uploads/…`` (upload endpoints, storage/api.py), ``/files/<upload id>/<name>`` and
``/files/<id>/<name>`` (downloads, storage/views.py), ``/images/<signature>/<image id>/<filter>/<name>``
(signed renditions of Wagtail images, see ``storage.attachments.describe_image``). The include sits before
``api/v1/`` so the API's catch-all for unknown endpoints does not shadow the uploads.
"""

from django.urls import path
from wagtail.images.views.serve import ServeView

from storage import api
from storage.views import FileDownloadView, UploadDownloadView

app_name = "storage"

urlpatterns = [
    path("api/v1/uploads/", api.UploadView.as_view(), name="upload-list"),
    path("api/v1/uploads/presign/", api.PresignView.as_view(), name="upload-presign"),
    path("api/v1/uploads/<uuid:upload_id>/complete/", api.CompleteView.as_view(), name="upload-complete"),
    path("files/<uuid:upload_id>/", UploadDownloadView.as_view(), name="upload-download-bare"),
    path("files/<uuid:upload_id>/<str:name>", UploadDownloadView.as_view(), name="upload-download"),
    path("files/<int:pk>/", FileDownloadView.as_view(), name="download-bare"),
    path("files/<int:pk>/<str:name>", FileDownloadView.as_view(), name="download"),
    path(
        "images/<str:signature>/<int:image_id>/<str:filter_spec>/<str:filename>",
        ServeView.as_view(action="serve"),
        name="image",
    ),
]
