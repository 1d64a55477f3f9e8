"""Sign-in by e-mail, throttling, and password reset through a real SMTP server on loopback."""

import re

import pytest
from django.test import override_settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_in_any_case(client, make_user):
    make_user(email="aigerim@example.kz")
    response = client.post("/accounts/login/", {"username": "Aigerim@Example.KZ", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/"


def test_wrong_password_gives_a_translated_message_and_keeps_the_address(client, make_user):
    make_user(email="aigerim@example.kz")
    response = client.post("/accounts/login/", {"username": "aigerim@example.kz", "password": "wrong"})
    assert response.status_code == 200
    assert 'value="aigerim@example.kz"' in response.text
    assert "Электрондық пошта немесе құпиясөз қате" in response.text


def test_malformed_address_is_refused_with_a_message(client):
    response = client.post("/accounts/login/", {"username": "not an address", "password": "x"})
    assert response.status_code == 200
    assert 'value="not an address"' in response.text
    assert "field-errors" in response.text


def test_login_is_locked_after_repeated_failures(client, make_user):
    make_user(email="target@example.kz")
    for _ in range(5):
        client.post("/accounts/login/", {"username": "target@example.kz", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "target@example.kz", "password": PASSWORD})
    assert response.status_code == 429
    assert "Тым көп әрекет" in response.text


def test_password_reset_by_mail_over_smtp(client, make_user, smtp_server):
    make_user(email="secretary@example.kz", preferred_language="kk")
    with override_settings(**smtp_server.settings()):
        response = client.post("/accounts/password-reset/", {"email": "SECRETARY@example.kz"})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "secretary@example.kz"
    body = message.get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "Жаңа-құпиясөз-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    signed_in = client.post(
        "/accounts/login/", {"username": "secretary@example.kz", "password": new_password}
    )
    assert signed_in.status_code == 302


def test_password_reset_for_unknown_address_sends_nothing(client, smtp_server):
    with override_settings(**smtp_server.settings()):
        response = client.post("/accounts/password-reset/", {"email": "nobody@example.kz"})
    assert response.status_code == 302
    assert smtp_server.messages == []


def test_session_expires_after_the_configured_time(client, make_user, settings):
    import time_machine

    make_user(email="late@example.kz")
    with time_machine.travel("2026-12-01 09:00 +05:00", tick=False):
        client.post("/accounts/login/", {"username": "late@example.kz", "password": PASSWORD})
        assert client.get("/account/").status_code == 200
    with time_machine.travel("2026-12-01 20:00 +05:00", tick=False):
        assert client.get("/account/").status_code == 200  # 11 hours later: still signed in
    with time_machine.travel("2026-12-01 21:30 +05:00", tick=False):
        assert client.get("/account/").status_code == 302  # after 12 hours: sign in again
