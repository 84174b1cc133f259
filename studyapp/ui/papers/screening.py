"""The Screen view: one paper at a time, decided with one key or click, the next loading at once.

The queue is the reviewer's own (`services.papers.queue`): papers they have not decided, most likely
relevant first by a model trained only on what they may see. Keys: `I` include, `M` maybe (title and
abstract only), `S` skip, and each exclusion criterion the number of its id (E4: `4`;
`services.papers.screening_keys`), shown on its button. Nothing here shows another
reviewer's decision; those appear on the Conflicts view once a lead opens the stage.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from studyapp.domain.codebook import Keywords
from studyapp.errors import StudyError
from studyapp.render.highlight import counts, highlight
from studyapp.render.safe_text import code, markdown_link, plain_line, safe_markdown
from studyapp.services.papers import screening
from studyapp.services.papers.views import ScreenView, screen_view
from studyapp.ui import state
from studyapp.ui.papers.keywords import keyword_editor
from studyapp.ui.state import Store

STAGE_LABELS = {"ta": "Title and abstract", "ft": "Full text"}


def chosen_stage(key: str) -> str:
    """The stage the picker `key` shows this run (read before the view is asked for)."""
    value = state.get(key)
    return value if value in STAGE_LABELS else next(iter(STAGE_LABELS))


def stage_picker(key: str) -> str:
    return st.radio("Stage", list(STAGE_LABELS), format_func=STAGE_LABELS.get, horizontal=True, key=key)


def paper_card(unit: dict, stage: str, keywords: Keywords = Keywords()) -> None:
    """Title and abstract with the codebook's keywords marked (`render.highlight` escapes the imported
    text first: no Markdown or HTML of a record is ever rendered)."""
    a = unit["attrs"]
    inc, exc = keywords.include, keywords.exclude
    st.subheader(highlight(unit["title"] or unit["key"], inc, exc, breaks=False))
    meta = [code(unit["key"])] + [plain_line(a[k]) for k in ("authors", "year", "venue") if a.get(k)]
    st.caption(" · ".join(meta))
    doi = str(a.get("doi") or "")
    if doi:
        st.markdown("DOI " + markdown_link(doi, "https://doi.org/" + doi.replace(" ", "%20"))
                    + (" (open the full text)" if stage == "ft" else ""))
    if a.get("snowball_from"):
        st.caption(plain_line(f"Found by snowballing from {a['snowball_from']} ({a.get('source', '')})."))
    if unit["text"]:
        st.markdown(highlight(unit["text"], inc, exc))
    else:
        st.caption("(no abstract)")
    if keywords:
        n = counts(f"{unit['title'] or ''}\n{unit['text'] or ''}", inc, exc)
        st.caption(f"Keywords: :green-background[{n['include']} include] · :red-background[{n['exclude']} exclude]"
                   " (marked in the text; they decide nothing).")


def _decide(unit_id: int, paper_key: str, coder: str, stage: str, decision: str, reason: str | None, key: str) -> None:
    note = (state.get(f"{key}.note") or "").strip() or None
    try:
        with state.open_store() as store:
            screening.decide(store, unit_id, coder, stage, decision, reason, note=note)
    except StudyError as e:
        state.flash(key, f"Not saved: {e.message}", error=True)
        return
    state.flash(key, f"{paper_key}: {decision}" + (f" ({reason})" if reason else ""))
    state.put(f"{key}.note", "")
    state.pop(f"{key}.revisit")
    state.pop(f"{key}.skip")


def _skip(key: str) -> None:
    state.put(f"{key}.skip", state.get(f"{key}.skip", 0) + 1)
    state.put(f"{key}.revisit", None)


def _buttons(unit: dict, coder: str, stage: str, excl: list, keys: dict, key: str) -> None:
    uid, pkey = unit["id"], unit["key"]
    cols = st.columns(3 if stage == "ta" else 2)
    cols[0].button("Include", type="primary", key=f"{key}.include", shortcut="I", width="stretch",
                   on_click=_decide, args=(uid, pkey, coder, stage, "include", None, key))
    if stage == "ta":
        cols[1].button("Maybe", key=f"{key}.maybe", shortcut="M", width="stretch",
                       on_click=_decide, args=(uid, pkey, coder, stage, "maybe", None, key))
    cols[-1].button("Skip", key=f"{key}.skip_btn", shortcut="S", width="stretch", on_click=_skip, args=(key,))
    st.markdown("**Exclude because**")
    for c in excl:
        st.button(f"{c.id}: {c.label}", key=f"{key}.exclude.{c.id}", width="stretch",
                  shortcut=keys.get(c.id), help=safe_markdown(c.definition) or None,
                  on_click=_decide, args=(uid, pkey, coder, stage, "exclude", c.id, key))
    st.text_input("Note (optional, kept with your decision)", key=f"{key}.note")


def screening_view(store: Store, coder: str | None, key: str = "papers.screen") -> None:
    if not coder:
        st.info("Choose who you are in the sidebar to start screening.")
        return
    v = screen_view(store, coder, chosen_stage(f"{key}.stage"), skip=state.get(f"{key}.skip", 0),
                    revisit=state.get(f"{key}.revisit"), queue=state.queue, my_decisions=state.my_decisions)
    if not v.has_papers:
        st.info("No papers yet: a lead imports search results in the Import view (or `studyapp import papers`).")
        return
    if v.codebook_error:
        st.info(f"Screening needs an SLR codebook with screening criteria: {v.codebook_error}")
        return
    stage = stage_picker(f"{key}.stage")
    state.show_flash(key)
    q = v.queue
    st.caption(f"You have screened {q.done_by_me} of {q.eligible} papers at this stage; {len(q.ids)} to go. "
               + (q.model_note[:1].upper() + q.model_note[1:] + "." if q.model_note else "")
               + (f" The model expects about {q.expected_remaining:.0f} relevant papers among them."
                  if q.expected_remaining is not None else ""))
    hint = q.hint or {}
    if hint.get("reason"):
        (st.success if hint.get("stop") else st.caption)(f"Stopping hint: {hint['reason']}.")
    if v.current is None:
        st.success("Nothing left for you to screen at this stage.")
    else:
        left, right = st.columns([3, 2], gap="large")
        with left:
            paper_card(v.current, stage, v.keywords)
        with right:
            if v.current["id"] in v.mine:
                d, r = v.mine[v.current["id"]]
                st.info(f"Your decision: {d}" + (f" ({r})" if r else "") + ". Decide again to change it.")
            _buttons(v.current, coder, stage, v.exclude, v.keys or {}, key)
            st.caption(v.keys_legend)
            with st.expander("Criteria"):
                for c in v.include:
                    st.markdown(f"**{plain_line(c.id)}** (include) " + plain_line(f"{c.label}: {c.definition or ''}"))
                for c in v.exclude:
                    st.markdown(f"**{plain_line(c.id)}** (exclude) " + plain_line(f"{c.label}: {c.definition or ''}"))
    _my_decisions(v, key)
    if v.slr_id:
        keyword_editor(store, v.slr_id, v.keywords, coder, key)


def _my_decisions(v: ScreenView, key: str) -> None:
    if not v.mine:
        return
    with st.expander(f"Your decisions at this stage ({len(v.mine)})"):
        df = pd.DataFrame(v.decisions)
        st.dataframe(df.drop(columns=["id"]), hide_index=True, width="stretch", height=220)
        labels = dict(zip(df["id"], df["key"] + " · " + df["title"].fillna("").str.slice(0, 80)))
        pick = st.selectbox("Change a decision", [None] + list(labels), key=f"{key}.change",
                            format_func=lambda i: "—" if i is None else labels[i])
        if pick is not None and st.button("Open it", key=f"{key}.open_again"):
            state.put(f"{key}.revisit", int(pick))
            st.rerun()
