"""The live watchlist check wired into the request form's partner rows."""

import re

from django.urls import reverse

from assessments.forms import PartnerFormSet

CHECK_URL = reverse("assessments:screening_check")


def attributes(html: str, name: str) -> str:
    """The opening tag of the form control called `name`."""
    match = re.search(rf"<(?:input|select)[^>]*name=\"{re.escape(name)}\"[^>]*>", html)
    assert match, f"no control named {name}"
    return match.group(0)


def test_each_partner_rows_names_ask_for_a_live_check_of_that_row(db):
    formset = PartnerFormSet(prefix="partners")
    row = formset.forms[1]
    include = (
        "[name='partners-1-name'], [name='partners-1-name_native'], "
        "[name='partners-1-country'], [name='partners-1-org_type']"
    )
    for field in ("name", "name_native"):
        attrs = row.fields[field].widget.attrs
        assert attrs["hx-get"] == CHECK_URL
        assert attrs["hx-trigger"] == "keyup changed delay:400ms, input changed delay:400ms"
        assert attrs["hx-target"] == "#partners-1-screening"
        assert attrs["hx-include"] == include
    assert row.fields["country"].widget.attrs["hx-trigger"] == "change"
    assert formset.forms[0].screening_target_id == "partners-0-screening"


def test_the_request_form_has_a_live_region_per_row_and_no_inline_script(client, requester):
    client.force_login(requester)
    html = client.get(reverse("assessments:request_create")).content.decode()
    for number in (0, 1):
        assert f'id="partners-{number}-screening" role="status" aria-live="polite"' in html
        name = attributes(html, f"partners-{number}-name")
        assert f'hx-target="#partners-{number}-screening"' in name
        assert 'hx-trigger="keyup changed delay:400ms, input changed delay:400ms"' in name
        assert f'hx-get="{CHECK_URL}"' in name
        assert f"[name=&#x27;partners-{number}-country&#x27;]" in name
    # CSP allows scripts from our own files only: the page must not rely on inline ones.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_htmx_fragment_covers_both_names_of_a_row(client, aspi, requester):
    client.force_login(requester)
    html = client.get(
        CHECK_URL,
        {
            "partners-1-name": "Harbin Engineering Univ.",
            "partners-1-name_native": "北京航空航天大学",
            "partners-1-country": "CN",
            "partners-1-org_type": "university",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "for “Harbin Engineering Univ.”" in html and "Harbin Engineering University" in html
    assert "for “北京航空航天大学”" in html and "Beihang University" in html


def test_the_htmx_fragment_is_empty_once_the_names_are_cleared(client, aspi, requester):
    client.force_login(requester)
    response = client.get(
        CHECK_URL, {"partners-0-name": "  ", "partners-0-country": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "match" not in response.content.decode()


def test_the_json_answers_for_the_native_name_when_no_name_is_given(client, aspi, requester):
    client.force_login(requester)
    response = client.get(CHECK_URL, {"partners-0-name_native": "哈尔滨工程大学"})
    assert response.json()["query"] == "哈尔滨工程大学"
    assert response.json()["matches"][0]["entry_id"] == "heu"
