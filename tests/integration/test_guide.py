"""The integrators' guide is served from docs/integration.md and covers what integrators need."""

import pytest

pytestmark = pytest.mark.django_db


def test_guide_page_renders_every_topic(client):
    response = client.get("/api/guide/")
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Authentication and clients",
        "Scopes",
        "Acting for an applicant",
        "Idempotency",
        "Events",
        "Webhooks",
        "Rate limits",
        "Errors",
        "Versioning",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "verify_portal_signature" in html
    assert "<table>" in html
    assert "<script" not in html.split("<article", 1)[1].split("</article>", 1)[0]
