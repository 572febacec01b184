"""Page-number pagination with a client-chosen page size capped at a maximum."""

from rest_framework.pagination import PageNumberPagination

DESCRIPTIONS = {
    "count": "Number of results on all pages.",
    "next": "URL of the next page, or null on the last page.",
    "previous": "URL of the previous page, or null on the first page.",
    "results": "The results on this page.",
}


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        for name, description in DESCRIPTIONS.items():
            paginated["properties"][name]["description"] = description
        return paginated
