"""A unit's audit trail as an expander, for any page that shows a unit.

Drop it in below a unit's coding panel: `history_expander(store, unit_id, coder)`. It asks one
service, `services.study.history.unit_history`, when it is drawn (after the panel's own saves, so a
save shows at once), and blindness is decided there: a coder sees other coders' values in a round
only once a lead opened reconciliation for it; a lead sees all. Values are drawn as table text,
never HTML.
"""

from __future__ import annotations

import streamlit as st

from studyapp.services.study.history import unit_history
from studyapp.ui.state import Store


def history_expander(store: Store, unit_id: int, viewer: str | None, *, limit: int = 200,
                     expanded: bool = False) -> list[dict]:
    """Draw the newest `limit` changes to the unit in an expander; returns the rows drawn."""
    rows = unit_history(store, unit_id, viewer, limit=limit)
    more = "+" if len(rows) >= limit else ""
    with st.expander(f"History ({len(rows)}{more} change{'s' if len(rows) != 1 else ''})", expanded=expanded):
        if not rows:
            st.caption("No changes recorded for this unit.")
            return rows
        st.dataframe([{"when": r["at"][:19].replace("T", " "), "who": r["who"], "action": r["action"],
                       "what": r["what"], "old": r["old_text"], "new": r["new_text"], "note": r["note"] or ""}
                      for r in rows], hide_index=True, width="stretch")
        st.caption("Other coders' changes in a round are listed once a lead opens reconciliation for it.")
        st.caption("Nothing is edited or deleted in place: every earlier value stays in this history.")
    return rows
