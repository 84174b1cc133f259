"""The Records, PRISMA and Import views of the Papers page.

Records: every search result with its source, and the duplicate groups, where a reviewer splits a
wrong merge or links one the rules missed. PRISMA: the 2020 flow diagram from the study's own
counts, with SVG, PNG and JSON downloads. Import: search exports by upload, snowballing records,
and the review's exports; importing and exporting are for leads.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from studyapp.errors import StudyError
from studyapp.render.safe_text import plain, plain_line
from studyapp.services.papers import dedup
from studyapp.services.papers import imports as papers_import
from studyapp.services.papers.views import export_data, papers_import_view
from studyapp.services.papers.views import prisma_view as read_prisma
from studyapp.services.papers.views import records_view as read_records
from studyapp.ui import state
from studyapp.ui.state import Store

RECORD_COLUMNS = ["key", "title", "year", "source", "doi", "duplicate of"]


def records_view(store: Store, coder: str | None, key: str = "papers.records") -> None:
    v = read_records(store, state.get(f"{key}.filter") or "")
    if not v.total:
        st.info("No papers yet.")
        return
    st.text_input("Filter by title or key", key=f"{key}.filter")
    st.caption(f"{v.total} records, {v.linked} linked as duplicates (kept, never deleted).")
    st.dataframe(pd.DataFrame(v.rows, columns=RECORD_COLUMNS), hide_index=True, width="stretch", height=300,
                 key=f"{key}.table")
    st.markdown("#### Duplicates")
    state.show_flash(key)
    for g in v.groups:
        with st.container(border=True):
            st.markdown(f"**{plain_line(g['primary_key'])}** " + plain_line(f"[{g['source']}] {g['title']}"))
            for d in g["duplicates"]:
                c1, c2 = st.columns([5, 1])
                how = d["method"] + (f", {d['score']:.0f}" if d.get("score") is not None else "")
                c1.caption(plain_line(f"= {d['key']} [{d['source']}] {d['title']} ({how})"))
                if coder and c2.button("Split", key=f"{key}.split.{d['key']}", help="Not a duplicate: make it a "
                                       "record of its own (it will not be linked again)."):
                    dedup.split_duplicate(store, d["key"], actor=coder)
                    state.flash(key, f"{d['key']} is a record of its own again.")
                    st.rerun()
    if coder:
        with st.form(f"{key}.link"):
            c1, c2 = st.columns(2)
            a = c1.selectbox("Record", v.keys, key=f"{key}.link.a")
            b = c2.selectbox("is a duplicate of", v.keys, key=f"{key}.link.b")
            if st.form_submit_button("Link as duplicate"):
                try:
                    dedup.link_duplicate(store, a, b, actor=coder)
                except StudyError as e:
                    st.error(e.message)
                else:
                    state.flash(key, f"{a} linked to {b}.")
                    st.rerun()


def prisma_view(store: Store, key: str = "papers.prisma") -> None:
    v = read_prisma(store)
    st.image(v.svg, width="content")
    c1, c2, c3 = st.columns(3)
    # Bytes, not a deferred callable, and no rerun on click: a PNG clicked right after the SVG failed
    # with "Deferred file ... not found" (the SVG's rerun dropped the PNG's callable).
    c1.download_button("SVG", v.svg, "prisma.svg", "image/svg+xml", key=f"{key}.svg", on_click="ignore")
    c2.download_button("PNG (print resolution)", state.prisma_png(v.svg), "prisma.png", "image/png",
                       key=f"{key}.png", on_click="ignore")
    c3.download_button("Counts (JSON)", json.dumps(v.counts, indent=2), "prisma.json", "application/json",
                       key=f"{key}.json", on_click="ignore")
    with st.expander("The counts"):
        st.json(v.counts)


def import_view(store: Store, coder: str | None, is_lead: bool, key: str = "papers.import") -> None:
    if not is_lead:
        st.info("Only a lead imports and exports (or use `studyapp import papers` and `studyapp papers export`).")
        return
    st.markdown("#### Search results")
    files = st.file_uploader("BibTeX, RIS or CSV exports (Scopus, IEEE Xplore, ACM DL, Web of Science, Zotero)",
                             type=["bib", "ris", "csv", "tsv", "txt"], accept_multiple_files=True, key=f"{key}.files")
    c1, c2 = st.columns(2)
    source = c1.text_input("Database (optional: detected from the file)", key=f"{key}.source")
    search = c2.text_input("Search string", key=f"{key}.search")
    if st.button("Import", key=f"{key}.go", disabled=not files):
        try:
            reps = papers_import.import_uploads(store, [(f.name, f.getvalue()) for f in files],
                                                source=source or None, search_string=search or None, actor=coder)
        except StudyError as e:
            st.error(plain(f"Nothing imported: {e}"))
        else:
            st.success(f"Imported {sum(r.imported for r in reps)} records.")
            st.dataframe(pd.DataFrame([{k: v for k, v in r.as_dict().items() if k not in ("rejections", "duplicate_of")}
                                       for r in reps]), hide_index=True, width="stretch")
            for r in reps:
                for rej in r.rejected:
                    st.warning(plain(f"{r.file}: record {rej.get('record')}: {rej.get('reason')}"))
    v = papers_import_view(store)  # after the import above: the new records can be snowballed from at once
    _snowball_form(store, v.papers, coder, key)
    st.markdown("#### Exports")
    cols = st.columns(len(v.exports))
    for col, (what, name, mime) in zip(cols, v.exports):
        col.download_button(name, state.deferred(export_data, what, coder), name, mime, key=f"{key}.export.{what}",
                            on_click="ignore")  # no rerun: the next export button keeps its file


def _snowball_form(store: Store, papers: list[str], coder: str | None, key: str) -> None:
    st.markdown("#### Snowballing")
    if not papers:
        return
    with st.form(f"{key}.snow"):
        c1, c2 = st.columns(2)
        seed = c1.selectbox("From paper", papers, key=f"{key}.snow.from")
        direction = c2.radio("Direction", papers_import.DIRECTIONS, horizontal=True, key=f"{key}.snow.dir",
                             help="backward: its references; forward: papers citing it")
        files = st.file_uploader("Reference or citation list (any paper format)", type=["bib", "ris", "csv", "txt"],
                                 accept_multiple_files=True, key=f"{key}.snow.files")
        if st.form_submit_button("Add the records"):
            try:
                reps = papers_import.snowball_uploads(store, seed, direction,
                                                      [(f.name, f.getvalue()) for f in files or []], actor=coder)
            except StudyError as e:
                st.error(plain(f"Nothing added: {e}"))
            else:
                st.success(f"Added {sum(r.imported for r in reps)} records from {seed} ({direction}).")
