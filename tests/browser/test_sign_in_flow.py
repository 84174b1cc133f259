"""Signing in for real: the demo study served with sign-in, a coder follows a link to the Defects page,
types a wrong password and sees the one failure message (the same for an unknown name: no probing for
coders), signs in with name and password, lands on the page the link named, moves between pages as
themselves, reloads the page and is still signed in (a session cookie, HttpOnly), signs out, reloads
and is signed out. Screenshots: test-output/browser/sign-in-*.png."""

from __future__ import annotations

import pytest

from studyapp.services.study.auth import set_password
from studyapp.store import Store
from studyapp.ui.views import PAGES
from tests.browser._helpers import (
    alerts,
    go,
    no_exception,
    open_app,
    settle,
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

    page.reload()  # a new page load: the sign-in lasts (issue 14 #5: every reload signed out)
    page.get_by_role("heading", name="Demo: reusing pre-trained models").first.wait_for()
    settle(page)
    assert signed_in_as(page) == "Signed in as bob (coder)"
    [cookie] = [c for c in page.context.cookies() if c["name"].startswith("studyapp_session_")]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    shot(page, shots, "sign-in-5-after-reload")

    sign_out(page)
    assert signed_in_as(page) == ""
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
    shot(page, shots, "sign-in-6-signed-out")
    page.reload()  # and sign-out lasts too
    page.get_by_role("heading", name="Sign in").wait_for()
    settle(page)
    assert signed_in_as(page) == "" and page.locator('[data-testid="stSidebarNav"] a').count() == 0
    with Store.open(demo_study) as store:
        assert store.coders.sessions_of("bob") == 0  # ended in the study, not only in the browser
    page.close()


def test_a_new_password_ends_the_session_of_an_open_page(demo_study, serve, browser):
    url = serve(demo_study, auth=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    open_app(page, url)
    sign_in(page, "chen", "chen-demo")
    assert signed_in_as(page) == "Signed in as chen (coder)"
    page.reload()
    page.locator("h1").first.wait_for()
    settle(page)
    assert signed_in_as(page) == "Signed in as chen (coder)"
    with Store.open(demo_study) as store:
        set_password(store, "chen", "a-brand-new-one")
    # The next run checks the session against the study:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Defects", exact=True).click()
    page.get_by_role("heading", name="Sign in").wait_for()
    settle(page)
    assert signed_in_as(page) == ""
    page.close()
