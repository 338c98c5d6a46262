from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import base, changes, coverage, index, publishing, read, webhooks

app_name = "api"

CODE = r"(?P<code>[A-Za-z0-9_.:\-]+)"
UUID = r"(?P<pk>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"


def detail(prefix: str, view, name: str, group: str = "code"):
    """Detail URLs answer with and without the trailing slash: stable URIs are written without it."""
    pattern = CODE.replace("code", group) if group != "code" else CODE
    return re_path(rf"^{prefix}/{pattern}/?$", view.as_view(), name=name)


urlpatterns = [
    path("", index.ApiIndex.as_view(), name="index"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("search/", include("search.urls")),
    path("resources/", publishing.ResourceCollection.as_view(), name="resource-list"),
    path("resources/bulk/", publishing.ResourceBulk.as_view(), name="resource-bulk"),
    re_path(rf"^resources/bulk/{UUID}/$", publishing.BulkSubmissionDetail.as_view(), name="bulk-detail"),
    re_path(rf"^resources/bulk/{UUID}/results/$", publishing.BulkSubmissionLines.as_view(), name="bulk-results"),
    re_path(rf"^resources/{UUID}/?$", publishing.ResourceItem.as_view(), name="resource-detail"),
    re_path(rf"^resources/{UUID}/withdraw/$", publishing.ResourceWithdraw.as_view(), name="resource-withdraw"),
    re_path(rf"^resources/{UUID}/approve/$", publishing.ResourceApprove.as_view(), name="resource-approve"),
    re_path(rf"^resources/{UUID}/reject/$", publishing.ResourceReject.as_view(), name="resource-reject"),
    path("submissions/", publishing.SubmissionList.as_view(), name="submission-list"),
    re_path(rf"^submissions/{UUID}/$", publishing.SubmissionDetail.as_view(), name="submission-detail"),
    path("changes/", changes.ChangeFeed.as_view(), name="changes"),
    path("webhooks/", webhooks.WebhookList.as_view(), name="webhook-list"),
    re_path(r"^webhooks/(?P<pk>[0-9]+)/$", webhooks.WebhookDetail.as_view(), name="webhook-detail"),
    re_path(
        r"^webhooks/(?P<pk>[0-9]+)/deliveries/$", webhooks.WebhookDeliveryList.as_view(), name="webhook-deliveries"
    ),
    path("curriculum/frameworks/", read.FrameworkList.as_view(), name="framework-list"),
    detail("curriculum/frameworks", read.FrameworkDetail, "framework-detail"),
    path("curriculum/subjects/", read.SubjectList.as_view(), name="subject-list"),
    detail("curriculum/subjects", read.SubjectDetail, "subject-detail"),
    path("curriculum/topics/", read.TopicList.as_view(), name="topic-list"),
    detail("curriculum/topics", read.TopicDetail, "topic-detail"),
    re_path(rf"^curriculum/topics/{CODE}/resources/$", read.TopicResourceList.as_view(), name="topic-resources"),
    path("curriculum/coverage/", coverage.CoverageView.as_view(), name="curriculum-coverage"),
    path("curriculum/codifier-elements/", read.CodifierElementList.as_view(), name="codifier-element-list"),
    detail("curriculum/codifier-elements", read.CodifierElementDetail, "codifier-element-detail"),
    path("organizations/", read.OrganizationList.as_view(), name="organization-list"),
    detail("organizations", read.OrganizationDetail, "organization-detail"),
    path("collections/", read.CollectionList.as_view(), name="collection-list"),
    detail("collections", read.CollectionDetail, "collection-detail", group="slug"),
    re_path(r"^.*/$", base.UnknownEndpoint.as_view()),
]
