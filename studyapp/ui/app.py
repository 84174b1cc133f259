"""The studyapp browser app. Serve it with `studyapp serve DIR` (which runs it behind ui/server.py, so
a sign-in lasts across reloads); a bare `streamlit run studyapp/ui/app.py` signs coders in too."""

from pathlib import Path

import streamlit as st

from studyapp.ui import sign_in, state, views

# Coders never see tracebacks (server paths, code), however the app is started and whatever config.toml
# the folder has: `studyapp serve` passes the same on its command line; errors go to the server log.
st.set_option("client.showErrorDetails", "none")
# The icon is a file of ours: a Material icon name makes every browser fetch it from fonts.gstatic.com.
st.set_page_config(page_title="studyapp", page_icon=str(Path(__file__).with_name("icon.png")), layout="wide")
# Navigation first, hidden until sign-in: a deep link (/defects) keeps its page through the sign-in
# form instead of falling back to Home, and nobody sees the page list before signing in.
page = st.navigation(views.all_pages(), position="sidebar" if state.signed_in() else "hidden")
state.sidebar()
sign_in.gate()  # with sign-in on: the sign-in page until a coder signs in (it stops the run there)
page.run()
