from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"

CODE = r"(?P<code>[A-Za-z0-9_.:\-]+)"


def detail(prefix: str, view, name: str, group: str = "code"):
    """Detail URLs answer with and without the trailing slash: stable URIs are written without it."""
    pattern = CODE.replace("code", group) if group != "code" else CODE
    return re_path(rf"^{prefix}/{pattern}/?$", view.as_view(), name=name)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("search/", include("search.urls")),
    path("uploads/", include("storage.urls")),
    path("resources/", views.ResourceList.as_view(), name="resource-list"),
    re_path(r"^resources/(?P<pk>[0-9a-f-]{36})/?$", views.ResourceDetail.as_view(), name="resource-detail"),
    path("curriculum/frameworks/", views.FrameworkList.as_view(), name="framework-list"),
    detail("curriculum/frameworks", views.FrameworkDetail, "framework-detail"),
    path("curriculum/subjects/", views.SubjectList.as_view(), name="subject-list"),
    detail("curriculum/subjects", views.SubjectDetail, "subject-detail"),
    path("curriculum/topics/", views.TopicList.as_view(), name="topic-list"),
    detail("curriculum/topics", views.TopicDetail, "topic-detail"),
    path("curriculum/codifier-elements/", views.CodifierElementList.as_view(), name="codifier-element-list"),
    detail("curriculum/codifier-elements", views.CodifierElementDetail, "codifier-element-detail"),
    path("organizations/", views.OrganizationList.as_view(), name="organization-list"),
    detail("organizations", views.OrganizationDetail, "organization-detail"),
    path("collections/", views.CollectionList.as_view(), name="collection-list"),
    detail("collections", views.CollectionDetail, "collection-detail", group="slug"),
]
