"""The API's JSON parser: a malformed body answers the standard error body with a translated
message (DRF's own says "JSON parse error - …" in English, with the decoder's details)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as error:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from error
