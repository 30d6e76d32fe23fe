from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page numbers with a client-chosen size, capped so no request lists everything."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
