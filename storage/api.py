"""Upload endpoints of API v1 (``/api/v1/uploads/``): multipart uploads, direct uploads to S3, completion.

Every rejection is an ``application/problem+json`` answer with the rule's stable ``code`` (see
``storage.exceptions.RejectionCode``) and a Russian ``detail`` naming the rule; nothing is stored for it.
Authentication and the ``publish`` scope come from the API keys of ``content_repo.api`` (see ``access``).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from content_repo.api.errors import PROBLEM_BASE, problem_exception_handler
from content_repo.api.parsers import CatalogJSONParser
from storage import access
from storage.attachments import describe_upload
from storage.conf import storage_policy
from storage.exceptions import FileRejected, RejectionCode
from storage.filetypes import FileUse
from storage.models import Upload
from storage.services import StoreOutcome
from storage.uploads import (
    AcceptedUpload,
    DirectUploadUnsupported,
    UploadNotPending,
    accept_upload,
    complete_direct_upload,
    start_direct_upload,
)

SHA256_PATTERN = re.compile(r"^[0-9a-fA-F]{64}$")
REJECTED_TITLE = "Файл отклонён"
USE_CHOICES = [(use.value, use.value) for use in FileUse]


class UploadRejected(exceptions.APIException):
    """A file broke an upload rule: 413 for ``too_large``, 400 for every other rule; ``code`` is the rule's."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "upload_rejected"

    def __init__(self, rejection: FileRejected) -> None:
        super().__init__(detail=rejection.message, code=rejection.code)
        # The problem handler takes the code from ``default_code``: keep the rule's code per instance.
        self.default_code = rejection.code
        if rejection.code == RejectionCode.TOO_LARGE:
            self.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


class DirectUploadNotAvailable(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "direct_upload_unavailable"
    default_detail = (
        "Прямая загрузка доступна только при хранилище S3; этот каталог хранит файлы локально — "
        "отправьте файл через POST /api/v1/uploads/."
    )


class UploadAlreadyRejected(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "upload_already_rejected"

    def __init__(self, upload: Upload) -> None:
        super().__init__(
            f"Загрузка уже отклонена (правило {upload.rejection_code}); начните новую через /api/v1/uploads/presign/."
        )


PROBLEM_TITLES = {
    "direct_upload_unavailable": "Прямая загрузка недоступна",
    "upload_already_rejected": "Загрузка уже отклонена",
}


def upload_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The project's problem+json handler, with titles for the upload rules."""
    response = problem_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict):
        if isinstance(exc, UploadRejected):
            response.data["title"] = REJECTED_TITLE
        elif isinstance(exc, exceptions.APIException) and exc.default_code in PROBLEM_TITLES:
            response.data["title"] = PROBLEM_TITLES[str(exc.default_code)]
    return response


def problem_body(rejection: FileRejected) -> dict[str, Any]:
    """The problem+json body of one rejected file (used inside a batch answer)."""
    code = rejection.code
    status_code = 413 if code == RejectionCode.TOO_LARGE else 400
    return {
        "type": PROBLEM_BASE + code,
        "title": REJECTED_TITLE,
        "status": status_code,
        "detail": rejection.message,
        "code": code,
    }


class UploadedFileSerializer(serializers.Serializer):
    """An accepted file as the uploading organisation sees it."""

    id = serializers.UUIDField(
        help_text="идентификатор загрузки: его передают в `files` и `thumbnail` ресурса; у каждой организации свой"
    )
    use = serializers.ChoiceField(choices=USE_CHOICES)
    sha256 = serializers.CharField(help_text="SHA-256 хранимых байтов (у изображений — перекодированных)")
    mime_type = serializers.CharField(help_text="тип, определённый по содержимому")
    size = serializers.IntegerField(help_text="размер хранимых байтов")
    download_url = serializers.URLField(help_text="адрес для скачивания через эту загрузку")


def uploaded_file_body(upload: Upload) -> dict[str, Any]:
    """The answer for one accepted upload (the same fields as ``UploadedFileSerializer``)."""
    description = describe_upload(upload).as_json()
    body = {key: description[key] for key in ("id", "sha256", "mime_type", "size", "download_url")}
    return UploadedFileSerializer({**body, "use": upload.use}).data


class UploadProblemSerializer(serializers.Serializer):
    """The problem+json body of one rejected file inside a batch answer."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="стабильный код правила: empty_file, too_large, type_not_allowed…")


class UploadRequestSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="Один файл или несколько частей `file` (пакетная загрузка).",
    )
    use = serializers.ChoiceField(choices=USE_CHOICES, default=FileUse.ATTACHMENT.value)


class BatchItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="номер части `file` в запросе, с нуля")
    name = serializers.CharField()
    status = serializers.IntegerField(
        help_text="201 — новая загрузка, 200 — ваша организация уже загружала это содержимое, 4xx — отклонён"
    )
    file = UploadedFileSerializer(required=False)
    problem = UploadProblemSerializer(required=False)


class BatchSerializer(serializers.Serializer):
    results = BatchItemSerializer(many=True)


class PresignRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=127)
    size = serializers.IntegerField(min_value=1)
    sha256 = serializers.RegexField(SHA256_PATTERN, help_text="SHA-256 содержимого, 64 шестнадцатеричных знака")
    use = serializers.ChoiceField(choices=USE_CHOICES, default=FileUse.ATTACHMENT.value)


class PresignResponseSerializer(serializers.Serializer):
    upload_id = serializers.UUIDField()
    url = serializers.URLField()
    method = serializers.CharField()
    headers = serializers.DictField(child=serializers.CharField())
    expires_at = serializers.DateTimeField()
    complete_url = serializers.CharField()


def _problem(description: str) -> OpenApiResponse:
    # The body (application/problem+json, ProblemDetails) is added by the project's schema class.
    return OpenApiResponse(description=description)


AUTH_PROBLEMS = {401: _problem("нет ключа API или ключ неверен"), 403: _problem("у ключа нет области publish")}


class UploadAPIView(access.PublishKeyView):
    """Upload views answer rejections with the rule's title (see ``upload_exception_handler``)."""

    def get_exception_handler(self) -> Any:
        return upload_exception_handler


class UploadView(UploadAPIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="uploads_create",
        summary="Загрузить файл (или несколько)",
        description=(
            "multipart/form-data, поле `file` (одно или несколько), необязательное `use` "
            "(attachment | cover_image | package). Один файл: 201 (новая загрузка) или 200 (ваша организация "
            "уже загружала это содержимое — тот же `id`), отказ — problem+json с кодом правила. `id` — "
            "идентификатор загрузки вашей организации: его передают в `files` и `thumbnail` ресурса. "
            "Несколько файлов: 207 со списком `results`, по одному элементу на каждую часть `file`, в том же "
            "порядке."
        ),
        request={"multipart/form-data": UploadRequestSerializer},
        responses={
            201: UploadedFileSerializer,
            200: UploadedFileSerializer,
            207: BatchSerializer,
            400: _problem("файл отклонён (code — правило) или запрос неверен"),
            413: _problem("файл или запрос больше допустимого размера (code too_large)"),
            **AUTH_PROBLEMS,
        },
        tags=["uploads"],
    )
    def post(self, request: Request) -> Response:
        policy = storage_policy()
        _check_request_size(request, policy.api_upload_max_size * policy.api_upload_max_files)
        params = UploadRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        files = params.validated_data["file"]
        if len(files) > policy.api_upload_max_files:
            raise exceptions.ValidationError(
                {"file": [f"Не больше {policy.api_upload_max_files} файлов за один запрос."]}
            )
        use = FileUse(params.validated_data["use"])
        if len(files) == 1:
            return self._single(request, files[0], use)
        return Response({"results": [self._batch_item(request, i, f, use) for i, f in enumerate(files)]}, status=207)

    def _accept(self, request: Request, uploaded: Any, use: FileUse) -> AcceptedUpload:
        """Store one uploaded part or raise ``FileRejected`` (nothing stored); the part is closed either way."""
        limit = storage_policy().api_upload_max_size
        try:
            if uploaded.size > limit:
                raise FileRejected(
                    RejectionCode.TOO_LARGE,
                    f"Файл больше {limit} байт — предела загрузки через API; "
                    "для больших файлов используйте /api/v1/uploads/presign/.",
                )
            return accept_upload(
                uploaded,
                name=uploaded.name or "",
                declared_type=uploaded.content_type,
                use=use,
                organization=access.organization_of(request),
                user=request.user,
            )
        finally:
            uploaded.close()

    def _single(self, request: Request, uploaded: Any, use: FileUse) -> Response:
        try:
            result = self._accept(request, uploaded, use)
        except FileRejected as e:
            raise UploadRejected(e) from e
        return Response(uploaded_file_body(result.upload), status=_created(result.outcome))

    def _batch_item(self, request: Request, index: int, uploaded: Any, use: FileUse) -> dict[str, Any]:
        item: dict[str, Any] = {"index": index, "name": uploaded.name or ""}
        try:
            result = self._accept(request, uploaded, use)
        except FileRejected as e:
            problem = problem_body(e)
            return item | {"status": problem["status"], "problem": problem}
        return item | {"status": _created(result.outcome), "file": uploaded_file_body(result.upload)}


class PresignView(UploadAPIView):
    parser_classes = [CatalogJSONParser]

    @extend_schema(
        operation_id="uploads_presign",
        summary="Подписанная ссылка для прямой загрузки в S3",
        description=(
            "Для больших файлов. Клиент заявляет имя, тип, размер и SHA-256, получает ссылку для PUT "
            "(заголовки `headers` отправить как есть) и затем вызывает `complete_url`. Только при хранилище "
            "S3; на локальном хранилище — 409 `direct_upload_unavailable`."
        ),
        request=PresignRequestSerializer,
        responses={
            201: PresignResponseSerializer,
            400: _problem("неверные параметры или файл заведомо отклонён (пустой, тип)"),
            409: _problem("хранилище не поддерживает прямую загрузку"),
            413: _problem("заявленный размер больше допустимого (too_large)"),
            **AUTH_PROBLEMS,
        },
        tags=["uploads"],
    )
    def post(self, request: Request) -> Response:
        params = PresignRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        try:
            direct = start_direct_upload(
                name=data["name"],
                declared_type=data["content_type"],
                size=data["size"],
                sha256=data["sha256"],
                use=FileUse(data["use"]),
                organization=access.organization_of(request),
                user=request.user,
            )
        except DirectUploadUnsupported as e:
            raise DirectUploadNotAvailable() from e
        except FileRejected as e:
            raise UploadRejected(e) from e
        body = {
            "upload_id": direct.upload.pk,
            "url": direct.presigned.url,
            "method": direct.presigned.method,
            "headers": direct.presigned.headers,
            "expires_at": direct.presigned.expires_at,
            "complete_url": reverse("storage:upload-complete", kwargs={"upload_id": direct.upload.pk}),
        }
        return Response(PresignResponseSerializer(body).data, status=status.HTTP_201_CREATED)


class CompleteView(UploadAPIView):
    parser_classes = [CatalogJSONParser]

    @extend_schema(
        operation_id="uploads_complete",
        summary="Завершить прямую загрузку",
        description=(
            "Проверяет объект (размер, SHA-256, тип по содержимому) и сохраняет его под ключом по содержимому; "
            "при отказе объект удаляется, а ответ — problem+json с кодом правила. Повторный вызов после "
            "успеха возвращает тот же файл."
        ),
        request=None,
        responses={
            201: UploadedFileSerializer,
            200: UploadedFileSerializer,
            400: _problem("файл отклонён (code — правило; upload_missing, upload_mismatch…)"),
            404: _problem("загрузки нет или она начата другой организацией"),
            409: _problem("загрузка уже отклонена"),
            **AUTH_PROBLEMS,
        },
        tags=["uploads"],
    )
    def post(self, request: Request, upload_id: str) -> Response:
        upload = get_object_or_404(
            Upload.objects.filter(channel=Upload.Channel.DIRECT, organization=access.organization_of(request)),
            pk=upload_id,
        )
        already_done = upload.status == Upload.Status.COMPLETED
        try:
            complete_direct_upload(upload)
        except UploadNotPending as e:
            raise UploadAlreadyRejected(e.upload) from e
        except FileRejected as e:
            raise UploadRejected(e) from e
        upload.refresh_from_db()
        return Response(uploaded_file_body(upload), status=200 if already_done else 201)


def _created(outcome: StoreOutcome) -> int:
    return status.HTTP_201_CREATED if outcome is StoreOutcome.CREATED else status.HTTP_200_OK


def _check_request_size(request: HttpRequest | Request, limit: int) -> None:
    """Refuse a body bigger than the batch limit before it is parsed (and spooled to disk)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise UploadRejected(
            FileRejected(
                RejectionCode.TOO_LARGE,
                f"Запрос больше {limit} байт; для больших файлов используйте /api/v1/uploads/presign/.",
            )
        )
