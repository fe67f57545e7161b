from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """Pages of PAGE_SIZE (50) items; `page_size` asks for up to 200 at a time."""

    page_size_query_param = "page_size"
    max_page_size = 200
