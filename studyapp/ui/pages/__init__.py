"""The app's pages, in navigation order; each module exposes `render()`."""

import streamlit as st

from studyapp.ui.pages import agreement, claims, codebooks, defects, home, interviews, papers

PAGES = [
    (home, "Home", ":material/home:", "home"),
    (papers, "Papers", ":material/article:", "papers"),
    (interviews, "Interviews", ":material/record_voice_over:", "interviews"),
    (defects, "Defects", ":material/bug_report:", "defects"),
    (agreement, "Agreement", ":material/handshake:", "agreement"),
    (claims, "Claims", ":material/fact_check:", "claims"),
    (codebooks, "Codebooks", ":material/menu_book:", "codebooks"),
]


def all_pages() -> list:
    return [st.Page(mod.render, title=title, icon=icon, url_path=path, default=(path == "home"))
            for mod, title, icon, path in PAGES]
