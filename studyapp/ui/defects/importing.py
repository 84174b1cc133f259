"""The Import tab: defects from tables or GitHub JSON, and a spreadsheet of existing labels.

Uploads go to the same imports the CLI uses (`services.defects.uploads`); unknown label values are
shown as a table (value, field, lines) and nothing is imported. Only a lead imports (it changes what
everyone labels or whose labels exist).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.domain.codebook import Codebook
from studyapp.errors import StudyError
from studyapp.render.safe_text import plain
from studyapp.services.coding.labels import UnknownLabels
from studyapp.services.defects.uploads import import_defect_uploads, import_label_upload
from studyapp.services.defects.views import coder_names
from studyapp.ui.state import Store


def import_tab(store: Store, books: list[Codebook], coder: str | None, is_lead: bool, key: str) -> None:
    if not is_lead:
        st.info("Only a lead imports defects and labels (or use `studyapp import defects` / `import labels`).")
        return
    st.markdown("#### Defects")
    files = st.file_uploader("CSV, XLSX or GitHub issue JSON", type=["csv", "tsv", "xlsx", "json", "jsonl"],
                             accept_multiple_files=True, key=f"{key}.imp.files")
    roles = st.text_input("Columns (optional)", key=f"{key}.imp.columns", placeholder="Summary=title, Details=body",
                          help="COLUMN=ROLE pairs; roles: key url title body number repo owner name state labels "
                               "created_at closed_at author attr. Detected from the header otherwise.")
    if st.button("Import defects", key=f"{key}.imp.go", disabled=not files):
        try:
            rep = import_defect_uploads(store, [(f.name, f.getvalue()) for f in files], columns=roles, actor=coder)
        except StudyError as e:
            st.error(plain(f"Nothing imported: {e}"))
        else:
            st.success(f"Imported {rep.imported} defects ({rep.duplicates} were in the study already).")
            st.dataframe(pd.DataFrame([f.__dict__ for f in rep.files]), hide_index=True, width="stretch")
    st.markdown("#### Labels")
    sheet = st.file_uploader("A spreadsheet of labels (one row per defect)", type=["csv", "tsv", "xlsx"],
                             key=f"{key}.lab.file")
    c1, c2, c3 = st.columns(3)
    coders = coder_names(store)
    whose = c1.selectbox("Whose labels", coders, key=f"{key}.lab.coder")
    cb = c2.selectbox("Codebook", books, format_func=lambda b: b.id, key=f"{key}.lab.codebook")
    round_id = c3.text_input("Round", value="main", key=f"{key}.lab.round")
    c1, c2 = st.columns(2)
    key_col = c1.text_input("Key column (optional)", key=f"{key}.lab.key", placeholder="URL or Issue #")
    mapping = c2.file_uploader("Mapping file (optional, YAML)", type=["yaml", "yml"], key=f"{key}.lab.map")
    add_unknown = st.checkbox("Add unknown values as codes of a new codebook version", key=f"{key}.lab.add")
    if st.button("Import labels", key=f"{key}.lab.go", disabled=sheet is None or cb is None):
        try:
            rep = import_label_upload(store, (sheet.name, sheet.getvalue()), coder=whose, codebook=cb.id,
                                      mapping=(mapping.name, mapping.getvalue()) if mapping is not None else None,
                                      key=key_col or None, round=round_id.strip() or None, add_unknown=add_unknown,
                                      actor=coder)
        except UnknownLabels as e:
            st.error("Nothing imported: these values match no code. Map them in a mapping file or add them "
                     "as codes.")
            st.dataframe(pd.DataFrame([{**u, "lines": ", ".join(map(str, u["lines"]))} for u in e.unknown]),
                         hide_index=True, width="stretch")
        except StudyError as e:
            st.error(plain(f"Nothing imported: {e}"))
        else:
            st.success(f"{rep.written} values written for {rep.coder} in round {rep.round} "
                       f"({rep.units} defects; key column {rep.key_column!r}).")
            if rep.only_this_coder or rep.only_other_coders:
                st.warning(f"Units only {rep.coder} coded in this round: {', '.join(rep.only_this_coder) or '-'}; "
                           f"only other coders: {', '.join(rep.only_other_coders) or '-'}. Check the rows line up.")
