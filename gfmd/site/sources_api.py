"""API resources of the source documents, their passages and the citations that quote them.

`/api/v1/sources/`: the documents with their coverage; staff upload a new one as multipart with a
`file` field (a .txt, .md or .pdf), read into passages by `gfmd.texts.document_ingest`.
`/api/v1/sources/<slug>/passages/`: a document's passages (`uncited=true` for those no citation
quotes yet, `q=` to search them). `/api/v1/citations/`: every citation; staff write them, and each
write is checked like the admin's: the excerpt must stand in the cited passage.
"""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gfmd.lib.api.pagination import Pagination
from gfmd.lib.api.refs import LinkField, WebLinkField
from gfmd.lib.api.viewsets import CuratedViewSet, KeyRelatedField, ReadOnlyViewSet
from gfmd.models import Citation, Passage, SourceDocument
from gfmd.models.sources import DOCUMENT_DESCRIPTION_FIELDS, citing_models
from gfmd.texts import IngestError, document_ingest, max_bytes


class SourceSerializer(serializers.ModelSerializer):
    url = LinkField("api:sourcedocument-detail")
    web_url = WebLinkField()
    citation_count = serializers.IntegerField(read_only=True)
    passage_count = serializers.IntegerField(
        read_only=True, help_text="Paragraphs and headings of the text; 0 while it is not loaded."
    )
    cited_passage_count = serializers.IntegerField(
        read_only=True, help_text="Passages quoted by at least one citation."
    )
    has_text = serializers.BooleanField(read_only=True)

    class Meta:
        model = SourceDocument
        fields = [
            *DOCUMENT_DESCRIPTION_FIELDS,
            "has_text",
            "text_format",
            "page_count",
            "citation_count",
            "passage_count",
            "cited_passage_count",
            "url",
            "web_url",
        ]


class SourceUploadSerializer(serializers.ModelSerializer):
    file = serializers.FileField(
        write_only=True, help_text="The document's text: a .txt, .md or .pdf file (with text)."
    )

    class Meta:
        model = SourceDocument
        fields = ["file", *DOCUMENT_DESCRIPTION_FIELDS, "order"]

    def validate_file(self, upload):
        if upload.size > max_bytes():
            raise serializers.ValidationError(
                f"{upload.name}: the file is {upload.size / 1_048_576:.1f} MB; the largest "
                f"accepted is {max_bytes() / 1_048_576:.0f} MB."
            )
        return upload

    def validate(self, attrs):
        document = SourceDocument(**{k: v for k, v in attrs.items() if k != "file"})
        try:
            document.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class PassageSerializer(serializers.ModelSerializer):
    place = serializers.CharField(read_only=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Passage
        fields = [
            "anchor",
            "position",
            "kind",
            "level",
            "number",
            "page",
            "line_start",
            "line_end",
            "section",
            "place",
            "text",
            "web_url",
        ]

    def get_web_url(self, passage) -> str:
        request = self.context.get("request")
        path = f"{self.context['document_url']}?page={passage.reader_page}#{passage.anchor}"
        return request.build_absolute_uri(path) if request else path


class SourceViewSet(mixins.CreateModelMixin, ReadOnlyViewSet):
    """The documents the knowledge base is read from, with how much of each is cited. Staff add
    one by uploading its file (multipart, field `file`)."""

    lookup_field = "slug"
    serializer_class = SourceSerializer
    # The model, for the schema: get_queryset() reads content types, which needs the database.
    queryset = SourceDocument.objects.none()

    def get_queryset(self):
        return SourceDocument.objects.with_coverage()

    def accepted_parameters(self) -> list[str]:
        names = super().accepted_parameters()
        if self.action == "passages":
            names += ["uncited", "q", Pagination.page_query_param, Pagination.page_size_query_param]
        return names

    def get_serializer_class(self):
        return SourceUploadSerializer if self.action == "create" else SourceSerializer

    @extend_schema(request=SourceUploadSerializer, responses={201: SourceSerializer})
    def create(self, request, *args, **kwargs):
        upload = SourceUploadSerializer(data=request.data, context={"request": request})
        upload.is_valid(raise_exception=True)
        fields = dict(upload.validated_data)
        file = fields.pop("file")
        try:
            with transaction.atomic():
                document = SourceDocument.objects.create(**fields)
                document_ingest(document=document, name=file.name, data=file.read())
        except IngestError as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        document = self.get_queryset().get(pk=document.pk)
        data = SourceSerializer(document, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("uncited", bool, description="Only paragraphs no citation quotes."),
            OpenApiParameter("q", str, description="Words the passages must contain."),
        ],
        responses={200: PassageSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def passages(self, request, slug=None):
        """The document's passages in order (paginated), for reading and for curators."""
        document = self.get_object()
        passages = Passage.objects.filter(document=document).text().order_by("position")
        uncited = request.query_params.get("uncited", "")
        if uncited not in ("", "true", "false", "1", "0"):
            raise ValidationError({"uncited": ["Use true or false."]})
        if uncited in ("true", "1"):
            passages = passages.uncited()
        query = request.query_params.get("q", "").strip()
        if query:
            passages = passages.search(query)
        paginator = Pagination()
        page = paginator.paginate_queryset(passages, request, view=self)
        context = {"request": request, "document_url": document.get_absolute_url()}
        return paginator.get_paginated_response(
            PassageSerializer(page, many=True, context=context).data
        )


def citable_content_types():
    """The kinds of record that carry citations (a `citations` generic relation)."""
    return list(ContentType.objects.get_for_models(*citing_models()).values())


class CitationFilter(django_filters.FilterSet):
    document = django_filters.ModelChoiceFilter(
        queryset=SourceDocument.objects.all(), to_field_name="slug", label="Document (slug)"
    )
    passage = django_filters.CharFilter(
        field_name="passage__anchor", max_length=100, label="Passage anchor (with document)"
    )

    class Meta:
        model = Citation
        fields: list[str] = []


class CitationResourceSerializer(serializers.ModelSerializer):
    url = LinkField("api:citation-detail", key="pk")
    web_url = WebLinkField()
    record_type = serializers.SerializerMethodField()
    document = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    passage = serializers.CharField(source="passage.anchor", default=None, read_only=True)
    place = serializers.CharField(read_only=True)

    class Meta:
        model = Citation
        fields = [
            "id",
            "record_type",
            "object_id",
            "document",
            "passage",
            "place",
            "line_start",
            "line_end",
            "locator",
            "excerpt",
            "order",
            "problem",
            "url",
            "web_url",
        ]

    def get_record_type(self, citation) -> str:
        return f"{citation.content_type.app_label}.{citation.content_type.model}"


class CitationResourceWriteSerializer(serializers.ModelSerializer):
    record_type = serializers.CharField(
        help_text="The kind of record cited from, e.g. practices.practice."
    )
    object_id = serializers.IntegerField(min_value=1, help_text="The record's id.")
    document = KeyRelatedField(slug_field="slug", queryset=SourceDocument.objects.all())
    passage = serializers.CharField(
        required=False, allow_null=True, max_length=20, help_text="Anchor of the passage quoted."
    )

    class Meta:
        model = Citation
        fields = [
            "record_type",
            "object_id",
            "document",
            "passage",
            "line_start",
            "line_end",
            "locator",
            "excerpt",
            "order",
        ]

    def validate_record_type(self, value):
        kinds = {f"{ct.app_label}.{ct.model}": ct for ct in citable_content_types()}
        if value.lower() not in kinds:
            raise serializers.ValidationError(
                f"Unknown kind of record {value!r}; use one of: {', '.join(sorted(kinds))}."
            )
        return kinds[value.lower()]

    def validate(self, attrs):
        current = self.instance
        content_type = attrs.pop("record_type", None) or current.content_type
        attrs["content_type"] = content_type
        object_id = attrs.get("object_id") or current.object_id
        model = content_type.model_class()
        if not model._default_manager.filter(pk=object_id).exists():
            raise serializers.ValidationError(
                {"object_id": [f"No {model._meta.verbose_name} has id {object_id}."]}
            )
        anchor = attrs.pop("passage", None)
        document = attrs.get("document") or (current.document if current else None)
        if anchor:
            passage = Passage.objects.filter(document=document, anchor=anchor).first()
            if passage is None:
                raise serializers.ValidationError(
                    {"passage": [f"{document} has no passage {anchor!r}."]}
                )
            attrs["passage"] = passage
        elif self.instance is not None and "line_start" in attrs:
            attrs["passage"] = None  # new lines: the passage is found again from them
        citation = self.instance or Citation()
        for name, value in attrs.items():
            setattr(citation, name, value)
        try:
            citation.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        # clean() found the passage, lines and locator; they are saved as found.
        for name in ("passage", "line_start", "line_end", "locator"):
            attrs[name] = getattr(citation, name)
        return attrs


class CitationViewSet(CuratedViewSet):
    """Every citation of a published record: the record it supports, the passage it quotes and
    the words quoted. Staff also see those of drafts, records in review and generated test data,
    and write them; the excerpt must stand in the passage (or the passages of the lines)."""

    filterset_class = CitationFilter
    # The model, for the schema: get_queryset() reads content types, which needs the database.
    queryset = Citation.objects.none()
    list_serializer_class = CitationResourceSerializer
    detail_serializer_class = CitationResourceSerializer
    write_serializer_class = CitationResourceWriteSerializer
    lookup_value_regex = "[0-9]+"

    def list_queryset(self):
        citations = Citation.objects.select_related("document", "passage", "content_type")
        if not self.for_staff():
            citations = citations.public()
        return citations.order_by("pk")

    def _respond(self, serializer, code):
        citation = self.list_queryset().get(pk=serializer.instance.pk)
        return Response(
            CitationResourceSerializer(citation, context=self.get_serializer_context()).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        serializer = CitationResourceWriteSerializer(
            data=request.data, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return self._respond(serializer, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = CitationResourceWriteSerializer(
            self.get_object(), data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return self._respond(serializer, status.HTTP_200_OK)
