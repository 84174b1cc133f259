"""The studyapp browser app: `streamlit run studyapp/ui/app.py` (use `studyapp serve DIR`)."""

from pathlib import Path

import streamlit as st

from studyapp.ui import state, views

# The icon is a file of ours: a Material icon name makes every browser fetch it from fonts.gstatic.com.
st.set_page_config(page_title="studyapp", page_icon=str(Path(__file__).with_name("icon.png")), layout="wide")
# Navigation first, hidden until sign-in: a deep link (/defects) keeps its page through the sign-in
# form instead of falling back to Home, and nobody sees the page list before signing in.
page = st.navigation(views.all_pages(), position="sidebar" if state.signed_in() else "hidden")
state.sidebar()
page.run()
