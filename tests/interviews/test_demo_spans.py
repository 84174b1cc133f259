"""The demo shows span agreement with one span disagreement to adjudicate (services/demo/span_agreement.py)."""

from __future__ import annotations

from studyapp.services.agreement.spans import span_agreement
from studyapp.services.interviews.stripes import stripes_view
from studyapp.store import Store


def test_the_demo_has_one_span_disagreement_to_adjudicate_in_an_open_round(demo_copy):
    with Store.open(demo_copy) as store:
        v = stripes_view(store, "alice")
        assert v.round == "pilot" and v.round_open and v.can_adjudicate
        assert len(v.disagreements) == 1 and v.disagreements[0].why.startswith("only ")
        assert stripes_view(store, "bob").visible  # the pilot is open: coders see the stripes too
        rows = {(r.field, r.round): r for r in span_agreement(store, "ptm-reuse-interviews", n_boot=0)}
        assert rows[("attributes", "pilot")].stat("u_alpha").value < 1
