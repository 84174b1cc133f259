"""The studyapp browser app: `streamlit run studyapp/ui/app.py` (use `studyapp serve DIR`)."""

import streamlit as st

from studyapp.ui import state, views

st.set_page_config(page_title="studyapp", page_icon=":material/science:", layout="wide")
state.sidebar()
st.navigation(views.all_pages()).run()
