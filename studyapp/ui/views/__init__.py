"""The app's pages, in navigation order. Each is a file with a `render()` function that runs when
Streamlit executes the file, so AppTest can open any page by its path (`views/home.py`)."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent

PAGES = [
    ("home", "Home", ":material/home:"),
    ("papers", "Papers", ":material/article:"),
    ("interviews", "Interviews", ":material/record_voice_over:"),
    ("defects", "Defects", ":material/bug_report:"),
    ("agreement", "Agreement", ":material/handshake:"),
    ("claims", "Claims", ":material/fact_check:"),
    ("codebooks", "Codebooks", ":material/menu_book:"),
]


def all_pages() -> list:
    return [st.Page(HERE / f"{name}.py", title=title, icon=icon, url_path=name, default=(name == "home"))
            for name, title, icon in PAGES]
