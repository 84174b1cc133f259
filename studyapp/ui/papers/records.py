"""The Records, PRISMA and Import views of the Papers page.

Records: every search result with its source, and the duplicate groups, where a reviewer splits a
wrong merge or links one the rules missed. PRISMA: the 2020 flow diagram from the study's own
counts, with SVG, PNG and JSON downloads. Import: search exports by upload, snowballing records,
and the review's exports; importing and exporting are for leads.
"""

from __future__ import annotations

import functools
import json

import pandas as pd
import streamlit as st

from studyapp.errors import StudyError
from studyapp.services.papers import dedup, prisma
from studyapp.services.papers import exports as paper_exports
from studyapp.services.papers import imports as papers_import
from studyapp.store import Store


def records_view(store: Store, coder: str | None, key: str = "papers.records") -> None:
    units = store.units.list("paper", with_text=False)
    if not units:
        st.info("No papers yet.")
        return
    groups = dedup.duplicate_groups(store)
    dup_of = {d["key"]: g["primary_key"] for g in groups for d in g["duplicates"]}
    df = pd.DataFrame([{"key": u["key"], "title": u["title"], "year": str(u["attrs"].get("year") or ""),
                        "source": u["attrs"].get("source"), "doi": u["attrs"].get("doi"),
                        "duplicate of": dup_of.get(u["key"], "")} for u in units])
    query = st.text_input("Filter by title or key", key=f"{key}.filter")
    if query:
        df = df[df["title"].fillna("").str.contains(query, case=False, regex=False)
                | df["key"].str.contains(query, case=False, regex=False)]
    st.caption(f"{len(units)} records, {len(dup_of)} linked as duplicates (kept, never deleted).")
    st.dataframe(df, hide_index=True, width="stretch", height=300, key=f"{key}.table")
    st.markdown("#### Duplicates")
    flash = st.session_state.pop(f"{key}.flash", None)
    if flash:
        st.success(flash)
    for g in groups:
        with st.container(border=True):
            st.markdown(f"**{g['primary_key']}** [{g['source']}] {g['title']}")
            for d in g["duplicates"]:
                c1, c2 = st.columns([5, 1])
                how = d["method"] + (f", {d['score']:.0f}" if d.get("score") is not None else "")
                c1.caption(f"= {d['key']} [{d['source']}] {d['title']} ({how})")
                if coder and c2.button("Split", key=f"{key}.split.{d['key']}", help="Not a duplicate: make it a "
                                       "record of its own (it will not be linked again)."):
                    dedup.split_duplicate(store, d["key"], actor=coder)
                    st.session_state[f"{key}.flash"] = f"{d['key']} is a record of its own again."
                    st.rerun()
    if coder:
        with st.form(f"{key}.link"):
            keys = [u["key"] for u in units]
            c1, c2 = st.columns(2)
            a = c1.selectbox("Record", keys, key=f"{key}.link.a")
            b = c2.selectbox("is a duplicate of", keys, key=f"{key}.link.b")
            if st.form_submit_button("Link as duplicate"):
                try:
                    dedup.link_duplicate(store, a, b, actor=coder)
                except StudyError as e:
                    st.error(e.message)
                else:
                    st.session_state[f"{key}.flash"] = f"{a} linked to {b}."
                    st.rerun()


def prisma_view(store: Store, key: str = "papers.prisma") -> None:
    counts = prisma.prisma_counts(store)
    svg = prisma.prisma_svg(counts, f"PRISMA 2020 flow diagram: {store.title}")
    st.image(svg, width="content")
    c1, c2, c3 = st.columns(3)
    c1.download_button("SVG", svg, "prisma.svg", "image/svg+xml", key=f"{key}.svg")
    c2.download_button("PNG (print resolution)", lambda: prisma.prisma_png(svg), "prisma.png", "image/png",
                       key=f"{key}.png")
    c3.download_button("Counts (JSON)", json.dumps(counts, indent=2), "prisma.json", "application/json",
                       key=f"{key}.json")
    with st.expander("The counts"):
        st.json(counts)


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
            st.error(f"Nothing imported: {e}")
        else:
            st.success(f"Imported {sum(r.imported for r in reps)} records.")
            st.dataframe(pd.DataFrame([{k: v for k, v in r.as_dict().items() if k not in ("rejections", "duplicate_of")}
                                       for r in reps]), hide_index=True, width="stretch")
            for r in reps:
                for rej in r.rejected:
                    st.warning(f"{r.file}: record {rej.get('record')}: {rej.get('reason')}")
    _snowball_form(store, coder, key)
    st.markdown("#### Exports")
    cols = st.columns(len(paper_exports.FORMATS))
    for col, what in zip(cols, paper_exports.FORMATS):
        name, mime = paper_exports.FILES[what]
        col.download_button(name, functools.partial(_export, store.folder, what, coder), name, mime,
                            key=f"{key}.export.{what}")


def _export(folder, what: str, viewer: str | None) -> str | bytes:
    """Made when the button is clicked (not on every run of the page), on a store of its own."""
    with Store.open(folder) as store:
        return paper_exports.export(store, what, viewer=viewer)[0]


def _snowball_form(store: Store, coder: str | None, key: str) -> None:
    st.markdown("#### Snowballing")
    papers = [u["key"] for u in store.units.list("paper", with_text=False)]
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
                st.error(f"Nothing added: {e}")
            else:
                st.success(f"Added {sum(r.imported for r in reps)} records from {seed} ({direction}).")
