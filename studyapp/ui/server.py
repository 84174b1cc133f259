"""What `studyapp serve` runs: the app (ui/app.py) behind Streamlit's ASGI server, with two HTTP routes
that keep a sign-in across reloads (a Streamlit script cannot set a cookie; these can):

- `/auth/session?code=C&next=/page`: redeems a one-time handoff code the sign-in form made (held in
  this process's memory), sets the session cookie (HttpOnly, SameSite=Strict, expiring) and sends the
  browser on to `next`.
- `/auth/sign-out?next=/page`: ends the cookie's session in the study and clears the cookie.

How the sessions work: services/study/sessions.py.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st
from starlette.responses import RedirectResponse
from starlette.routing import Route

from studyapp.services.papers import queue
from studyapp.services.study import auth, sessions

APP = Path(__file__).with_name("app.py")
os.environ["STUDYAPP_SESSION_ROUTES"] = "1"  # tells ui/sign_in.py that the routes below exist


def _next(request) -> str:
    """Where to go afterwards: a path on this server only (never `//host` or `https://...`)."""
    target = request.query_params.get("next") or "/"
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _study() -> str | None:
    return os.environ.get("STUDYAPP_STUDY")


async def start_session(request):
    response = RedirectResponse(_next(request), status_code=303)
    study = _study()
    token = sessions.redeem_in(study, request.query_params.get("code", "")) if study else None
    if token:
        response.set_cookie(sessions.cookie_name(study), token, max_age=sessions.SESSION_DAYS * 86400,
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
    response.headers["Cache-Control"] = "no-store"
    return response


async def sign_out(request):
    response = RedirectResponse(_next(request), status_code=303)
    study = _study()
    if study:
        sessions.end_in(study, request.cookies.get(sessions.cookie_name(study)))
        response.delete_cookie(sessions.cookie_name(study), httponly=True, samesite="strict")
    response.headers["Cache-Control"] = "no-store"
    return response


auth.prepare()
if _study():  # the first screening queue then costs the model fit, not scikit-learn's import and the features
    threading.Thread(target=queue.warm_up_in, args=(_study(),), name="studyapp-warm-up", daemon=True).start()
app = st.App(str(APP), routes=[Route("/auth/session", start_session), Route("/auth/sign-out", sign_out)])
