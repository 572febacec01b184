"""Login limits that a stranger cannot turn against the owner: the account lock spares the owner's
trusted browsers and is lifted by the e-mailed link or a password reset; many failures from one
address are refused; every refusal is 429 with Retry-After. Password-reset requests are limited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from celery.signals import task_prerun
from django.core import mail
from django.test import Client
from django.utils import timezone

from backend.celery import app as celery_app
from backend.users import login_guard
from backend.users.models import User
from tests.backend.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
RESET = "/accounts/password-reset/"


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.ru")


def web_login(client, email, password=DEFAULT_PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def lock(settings, email, *, client=None, **extra):
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en", **extra)
    return [web_login(client, email, "wrong").status_code for _ in range(settings.LOGIN_FAILURE_LIMIT)]


def test_a_strangers_failures_lock_the_account_but_not_the_owners_browser(
    owner, settings, django_capture_on_commit_callbacks
):
    browser = Client()
    assert web_login(browser, owner.email).status_code == 302  # the owner's browser becomes trusted
    browser.post("/accounts/logout/")

    # A stranger behind the same address (the test clients share 127.0.0.1) guesses.
    with django_capture_on_commit_callbacks(execute=True):
        codes = lock(settings, owner.email)
    assert codes == [200] * (settings.LOGIN_FAILURE_LIMIT - 1) + [429]
    stranger = web_login(Client(HTTP_ACCEPT_LANGUAGE="en"), owner.email)  # even the right password
    assert stranger.status_code == 429
    cooloff = int(settings.LOGIN_COOLOFF.total_seconds())
    assert cooloff - 5 <= int(stranger["Retry-After"]) <= cooloff
    assert "Too many failed logins" in stranger.content.decode()

    assert web_login(browser, owner.email).status_code == 302  # the owner still gets in
    owner.refresh_from_db()
    assert (owner.failed_logins, owner.login_locked_until) == (0, None)


def test_the_emailed_link_lifts_the_lock_and_trusts_the_browser(
    owner, settings, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lock(settings, owner.email)
    [message] = mail.outbox
    assert message.to == [owner.email]
    link = re.search(r"http://testserver(/accounts/unlock/\S+/)", message.body).group(1)
    assert api_client.post(TOKEN, {"email": owner.email, "password": DEFAULT_PASSWORD}).status_code == 429

    browser = Client()
    assert browser.get(link).status_code == 200  # a confirmation page; only the POST acts
    owner.refresh_from_db()
    assert owner.login_locked_until is not None
    response = browser.post(link)
    assert response.url == LOGIN and login_guard.DEVICE_COOKIE in response.cookies
    owner.refresh_from_db()
    assert owner.login_locked_until is None
    assert api_client.post(TOKEN, {"email": owner.email, "password": DEFAULT_PASSWORD}).status_code == 201
    assert browser.post(link).status_code == 404  # used once


def test_a_correct_password_forgets_earlier_failures(owner, settings, api_client):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        api_client.post(TOKEN, {"email": owner.email, "password": "wrong"})
    owner.refresh_from_db()
    assert owner.failed_logins == settings.LOGIN_FAILURE_LIMIT - 1
    assert api_client.post(TOKEN, {"email": owner.email, "password": DEFAULT_PASSWORD}).status_code == 201
    owner.refresh_from_db()
    assert owner.failed_logins == 0
    assert api_client.post(TOKEN, {"email": owner.email, "password": "wrong"}).status_code == 401


def test_a_password_reset_lifts_the_lock(owner, settings):
    lock(settings, owner.email)
    client = Client()
    client.post(RESET, {"email": owner.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = "another-Strong-pass-2026"
    assert client.post(form_url, {"new_password1": new, "new_password2": new}).status_code == 302
    assert web_login(Client(), owner.email, new).status_code == 302


def test_locks_grow_longer_and_knocking_on_a_lock_does_not_extend_it(owner, settings):
    assert [
        login_guard.lock_duration(failures=settings.LOGIN_FAILURE_LIMIT * n) for n in (1, 2, 3, 9000)
    ] == [
        settings.LOGIN_COOLOFF,
        settings.LOGIN_COOLOFF * 2,
        settings.LOGIN_COOLOFF * 4,
        timedelta(days=1),
    ]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        lock(settings, owner.email)
        owner.refresh_from_db()
        first_until = owner.login_locked_until
        assert first_until == timezone.now() + settings.LOGIN_COOLOFF
        lock(settings, owner.email)  # refused unchecked: counts nothing
        owner.refresh_from_db()
        assert (owner.failed_logins, owner.login_locked_until) == (settings.LOGIN_FAILURE_LIMIT, first_until)

        traveller.shift(settings.LOGIN_COOLOFF + timedelta(seconds=1))
        codes = lock(settings, owner.email)
        assert codes[-1] == 429
        owner.refresh_from_db()
        assert owner.login_locked_until == timezone.now() + settings.LOGIN_COOLOFF * 2


def test_a_trusted_browser_has_its_own_failure_limit(owner, settings):
    browser = Client()
    web_login(browser, owner.email)
    browser.post("/accounts/logout/")
    lock(settings, owner.email)  # by a stranger
    codes = [
        web_login(browser, owner.email, "wrong").status_code for _ in range(settings.LOGIN_FAILURE_LIMIT)
    ]
    assert codes == [200] * settings.LOGIN_FAILURE_LIMIT  # wrong passwords, not a lock
    assert web_login(browser, owner.email).status_code == 429  # no longer trusted during the lock


def test_many_failures_from_one_address_over_accounts_are_refused(owner, settings, api_client):
    settings.NUM_PROXIES = 1
    # Below the token endpoint's own throttle (20/min), so that the login limit is what answers.
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 8
    attacker = {"HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    codes = [
        api_client.post(TOKEN, {"email": f"guess{n}@example.ru", "password": "wrong"}, **attacker).status_code
        for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    ]
    assert codes == [401] * (settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1) + [429]
    response = api_client.post(TOKEN, {"email": owner.email, "password": DEFAULT_PASSWORD}, **attacker)
    assert response.status_code == 429 and response.json()["errors"][0]["code"] == "login_locked"
    assert int(response["Retry-After"]) == int(settings.LOGIN_COOLOFF.total_seconds())
    # The owner, elsewhere, is not affected, and no account was locked.
    elsewhere = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert (
        api_client.post(TOKEN, {"email": owner.email, "password": DEFAULT_PASSWORD}, **elsewhere).status_code
        == 201
    )


def test_rotating_x_forwarded_for_does_not_escape_the_address_limit(owner, settings, api_client):
    settings.NUM_PROXIES = 0
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 8
    codes = [
        api_client.post(
            TOKEN,
            {"email": f"guess{n}@example.ru", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    ]
    assert codes == [401] * 7 + [429]


def test_password_reset_is_limited_per_account_silently_and_per_address_with_429(owner, settings):
    settings.ACCOUNT_EMAILS_PER_ACCOUNT_PER_HOUR = 2
    settings.ACCOUNT_EMAILS_PER_ADDRESS_PER_HOUR = 4
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    answers = [client.post(RESET, {"email": owner.email}) for _ in range(3)]
    answers.append(client.post(RESET, {"email": "nobody@example.ru"}))
    assert [(answer.status_code, answer.url) for answer in answers] == [
        (302, "/accounts/password-reset/sent/")
    ] * 4
    assert len(mail.outbox) == 2
    refused = client.post(RESET, {"email": "someone@example.ru"})
    refused_again = client.post(RESET, {"email": owner.email})
    assert refused.status_code == refused_again.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many requests from your address" in refused.content.decode()
    assert len(mail.outbox) == 2
    assert User.objects.get(pk=owner.pk).check_password(DEFAULT_PASSWORD)


def test_with_the_cache_unreachable_a_password_reset_is_still_sent(owner, settings, caplog):
    # Nothing listens on this port (the test's own range): every cache call fails to connect.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:8499/4",
        }
    }
    response = Client().post(RESET, {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "the cache is unavailable" in caplog.text


def test_the_reset_mail_is_sent_by_the_celery_task(owner):
    ran = []

    def record(sender=None, **kwargs):
        ran.append(sender.name)

    task_prerun.connect(record, weak=False)
    try:
        Client().post(RESET, {"email": owner.email})
    finally:
        task_prerun.disconnect(record)
    assert ran == ["backend.users.tasks.send_account_email"]
    assert len(mail.outbox) == 1


def _forget_broker_connections() -> None:
    # Celery's connection and producer pools keep the broker they were made for (private caches,
    # no public reset): drop them so the next publish connects to the broker configured now.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_with_the_broker_down_the_reset_mail_is_sent_in_the_request(owner):
    """A real publish to a closed port (nothing listens on 127.0.0.1:1): the broker error is not a
    500 and the mail is not lost."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:1/0"
    # The producer pool keeps the broker of its creation: drop it so the closed port is used.
    _forget_broker_connections()
    try:
        response = Client().post(RESET, {"email": owner.email})
    finally:
        conf.task_always_eager, conf.broker_url = saved
        _forget_broker_connections()
    assert response.status_code == 302
    assert len(mail.outbox) == 1
