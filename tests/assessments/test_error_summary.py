"""A refused form starts with a summary of what is wrong, each message linked to its field."""

from html.parser import HTMLParser

from assessments.models import PartnershipRequest
from assessments.workflow.facts import AMOUNT_NEGATIVE, CURRENCY_CODE, NAME_WITHOUT_LETTERS

from .test_request_views import form_data


class _SummaryReader(HTMLParser):
    """The page's element ids, and the summary's links with their text."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.in_summary, self.href = set(), {}, 0, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "div" and "data-error-summary" in attrs:
            self.in_summary = 1
        elif self.in_summary and tag == "div":
            self.in_summary += 1
        if self.in_summary and tag == "a":
            self.href = attrs["href"]
            self.links[self.href] = ""

    def handle_endtag(self, tag):
        if tag == "a":
            self.href = None
        elif tag == "div" and self.in_summary:
            self.in_summary -= 1

    def handle_data(self, data):
        if self.href:
            self.links[self.href] = " ".join((self.links[self.href] + " " + data).split())


def _summary(response):
    reader = _SummaryReader()
    reader.feed(response.content.decode())
    assert reader.links, "no error summary"
    return reader.ids, reader.links


def test_a_refused_request_form_summarises_every_error_with_a_link_to_its_field(client, requester):
    client.force_login(requester)
    data = form_data(
        **{
            "title": "",
            "partners-0-name": "!!! ???",
            "funding-0-amount": "-1000000",
            "funding-0-currency": "XYZ",
        }
    )
    response = client.post("/requests/new/", data)
    assert response.status_code == 200
    ids, links = _summary(response)
    assert links["#id_title"].startswith("Title:")
    assert links["#id_partners-0-name"] == f"Partner 1: Name as written: {NAME_WITHOUT_LETTERS}"
    assert links["#id_funding-0-amount"].endswith(AMOUNT_NEGATIVE)
    assert links["#id_funding-0-currency"].endswith(CURRENCY_CODE)
    for href in links:
        assert href[1:] in ids, f"{href} links to nothing"
    assert not PartnershipRequest.objects.exists()


def test_a_page_without_errors_has_no_summary(client, requester):
    client.force_login(requester)
    response = client.get("/requests/new/")
    assert b"data-error-summary" not in response.content
    assert b"js/ukcn.js" in response.content
