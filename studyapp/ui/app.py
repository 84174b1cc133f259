"""The studyapp browser app: `streamlit run studyapp/ui/app.py` (use `studyapp serve DIR`)."""

import streamlit as st

from studyapp.ui import state, views



def _icon():
    """The tab icon, drawn here: a Material icon name makes the browser fetch it from a font CDN (an
    outside request from every page, and a console error where there is no network)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((2, 2, 29, 29), radius=7, fill=(37, 99, 235, 255))
    return img


st.set_page_config(page_title="studyapp", page_icon=_icon(), layout="wide")
# Navigation first, hidden until sign-in: a deep link (/defects) keeps its page through the sign-in
# form instead of falling back to Home, and nobody sees the page list before signing in.
page = st.navigation(views.all_pages(), position="sidebar" if state.signed_in() else "hidden")
state.sidebar()
page.run()
