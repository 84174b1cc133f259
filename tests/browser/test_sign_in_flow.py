"""Signing in for real: the demo study served with sign-in, a coder follows a link to the Defects page,
types a wrong password and sees the one failure message (the same for an unknown name: no probing for
coders), signs in with name and password, lands on the page the link named, moves between pages as
themselves, and signs out. Screenshots: test-output/browser/sign-in-*.png."""

from __future__ import annotations

import pytest

from studyapp.ui.views import PAGES
from tests.browser._helpers import (
    alerts,
    go,
    no_exception,
    open_app,
    shot,
    sign_in,
    sign_out,
    signed_in_as,
)

pytestmark = pytest.mark.browser
FAILURE = "unknown coder or wrong password"


def test_a_coder_signs_in_with_name_and_password_and_signs_out(demo_study, serve, browser, shots):
    url = serve(demo_study, auth=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    open_app(page, url, "defects")
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 0  # nothing of the study before sign-in
    assert page.get_by_role("heading", name="Defects").count() == 0
    shot(page, shots, "sign-in-1-form")

    sign_in(page, "bob", "not-bobs-password")
    assert alerts(page) == [FAILURE]
    assert signed_in_as(page) == ""
    shot(page, shots, "sign-in-2-wrong-password")
    sign_in(page, "nobody", "bob-demo")
    assert alerts(page) == [FAILURE]  # an unknown name gets the very same message

    sign_in(page, "bob", "bob-demo")
    assert signed_in_as(page) == "Signed in as bob (coder)"
    assert alerts(page) == []
    page.get_by_role("heading", name="Defects").first.wait_for()  # where the link pointed, not Home
    assert page.url.endswith("/defects")
    assert page.locator('[data-testid="stSidebarNav"] a').count() == len(PAGES)  # the page list, now
    no_exception(page)
    shot(page, shots, "sign-in-3-signed-in")
    go(page, "Home", "Demo: reusing pre-trained models")  # the session, and the sign-in, survive moving
    assert signed_in_as(page) == "Signed in as bob (coder)"
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 0  # no "Coding as"
    shot(page, shots, "sign-in-4-another-page")

    sign_out(page)
    assert signed_in_as(page) == ""
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
    shot(page, shots, "sign-in-5-signed-out")
    page.close()
