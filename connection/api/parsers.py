"""Multipart parsing that refuses file names with a path instead of silently cutting them."""

import html

from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class _NameRecordingParser(DjangoMultiPartParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unsafe_names: list[str] = []

    def sanitize_file_name(self, file_name):
        raw = html.unescape(file_name)
        if "/" in raw or "\\" in raw or raw.strip() in ("", ".", ".."):
            self.unsafe_names.append(raw)
        return super().sanitize_file_name(file_name)


class StrictMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        try:
            parser = _NameRecordingParser(
                meta, stream, request.upload_handlers, parser_context.get("encoding", "utf-8")
            )
            data, files = parser.parse()
        except MultiPartParserError as error:
            # Django's reason is in English and names parser internals: the client gets a translated one.
            raise exceptions.ParseError(_("The request body is not valid multipart form data.")) from error
        if parser.unsafe_names:
            raise exceptions.ValidationError(
                {"file": [_("The file name must not contain a path (/, \\ or ..).")]}, code="file_name"
            )
        return parsers.DataAndFiles(data, files)
