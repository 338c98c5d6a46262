from pathlib import Path

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("content_repo.exchange.urls")),  # /oai/, and the CASE and dump addresses under /api/v1/
    path("", include("storage.urls")),  # /api/v1/uploads/… and /files/… (before the API's catch-all)
    path("api/v1/", include("content_repo.api.urls")),
]
# /media/ never serves stored files (files/, behind the /files/ access rules), image originals or documents.
# In development only Wagtail's renditions (images/) are served, for the admin's thumbnails on local storage.
urlpatterns += static(f"{settings.MEDIA_URL}images/", document_root=Path(settings.MEDIA_ROOT) / "images")
# The teachers' site (portal/) at the root, in place of Wagtail's page serving: the catalog has no Wagtail pages.
urlpatterns.append(path("", include("portal.urls")))
