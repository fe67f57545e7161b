"""403, 404 and 500 are ukcn's own pages: navigation, a way back, and a 500 without the database."""

from django.test import RequestFactory
from django.views.defaults import server_error


def test_a_missing_page_is_the_branded_404_with_the_navigation(client, requester):
    client.force_login(requester)
    response = client.get("/requests/PR-1999-9999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'aria-label="Main"' in body and "Go to your dashboard" in body


def test_a_forbidden_page_is_the_branded_403(client, requester):
    client.force_login(requester)
    response = client.get("/reports/annual/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You may not do this" in body and "Go to your dashboard" in body


def test_the_500_page_needs_no_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b'href="/"' in response.content
