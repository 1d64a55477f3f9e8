"""Odd addresses and parameters get a clear answer, never a server error."""

import pytest

URLS = [
    "/councils/?page=999999",
    "/councils/?page=-1",
    "/councils/?q=" + "а" * 5000,
    "/councils/?region=zz&district=%00&sort=%27",
    "/meetings/?view=month&year=9999&month=12",
    "/meetings/?view=month&year=1&month=1",
    "/meetings/?year=0&month=0",
    "/meetings/?year=2026&month=13",
    "/api/v1/councils?page=0",
    "/api/v1/councils?page=abc",
    "/api/v1/councils?level=bogus",
    "/api/v1/meetings?start=2026-13-01",
    "/api/v1/meetings?start=9999-12-31",
    "/api/v1/meetings?start=2027-01-01&end=2026-01-01",
    "/api/v1/persons/999999",
    "/councils/people/0/",
    "/meetings/999999/",
    "/meetings/999999/minutes.pdf",
    "/meetings/feeds/series/999.ics",
    "/meetings/feeds/user/%00.ics",
    "/search/?q=%00%01",
    "/search/?q=" + "😀" * 50,
    "/regions/XX/",
    "/councils/export/?format=xml",
    "/councils/export/?format=csv&region=zz",
    "/accounts/password-reset/xx/yy/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_no_server_error(client, url):
    client.raise_request_exception = False
    assert client.get(url).status_code < 500
