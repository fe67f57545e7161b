"""The project's URLs, plus a stand-in request page while the requests branch has none.

Notification links come from `PartnershipRequest.get_absolute_url()`; once the requests
pages exist the real `assessments:request_detail` is used and nothing here is added.
"""

from django.http import HttpResponse
from django.urls import include, path

from assessments import urls as assessments_urls
from ukcn import urls as ukcn_urls


def request_page(request, reference):
    return HttpResponse(f"request {reference}")


_extra = (
    []
    if any(getattr(p, "name", None) == "request_detail" for p in assessments_urls.urlpatterns)
    else [path("requests/<str:reference>/", request_page, name="request_detail")]
)

urlpatterns = [
    *(p for p in ukcn_urls.urlpatterns if getattr(p, "namespace", None) != "assessments"),
    path("", include(([*assessments_urls.urlpatterns, *_extra], "assessments"))),
]
