import pandas as pd

from studyapp.domain.spreadsheet_safe import neutralise, safe_frame, safe_rows


def test_formula_cells_become_text_and_numbers_stay():
    assert neutralise('=HYPERLINK("http://evil","x")') == '\'=HYPERLINK("http://evil","x")'
    assert neutralise("+1") == "'+1" and neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("\tx") == "'\tx"
    assert neutralise(-3.5) == -3.5 and neutralise("plain") == "plain" and neutralise(None) is None
    assert list(safe_rows([["=1", 2], {"a": "-x"}])) == [["'=1", 2], {"a": "'-x"}]
    df = safe_frame(pd.DataFrame({"title": ["=cmd|' /C calc'!A0", "ok"], "n": [-1, 2]}))
    assert df["title"][0].startswith("'=") and df["n"][0] == -1
