"""core.export: cells a spreadsheet could run are defused, rows go out in chunks, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from datetime import timezone as dt_timezone

import pytest

from core.export import csv_chunks, safe_cell


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_a_spreadsheet_would_evaluate_gets_a_leading_apostrophe(text):
    assert safe_cell(text) == "'" + text


def test_plain_text_numbers_and_flags_are_kept():
    assert safe_cell("Call 1") == "Call 1"
    assert safe_cell(-3) == -3 and safe_cell(0.5) == 0.5
    assert safe_cell(True) == "yes" and safe_cell(None) == ""
    assert safe_cell({"b": 1, "a": "=x"}) == '{"a": "=x", "b": 1}'  # JSON starts with {: nothing to run


def test_dates_are_iso():
    assert safe_cell(datetime(2026, 11, 3, 10, 0, tzinfo=dt_timezone.utc)).startswith("2026-11-03T")


def test_csv_comes_in_several_chunks_and_parses_back():
    rows = ([n, f"name, with \"quotes\" {n}", "=1+1"] for n in range(1200))
    chunks = list(csv_chunks(rows, ["n", "name", "formula"], rows_per_chunk=500))
    assert len(chunks) == 3
    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    assert parsed[0] == ["n", "name", "formula"] and len(parsed) == 1201
    assert parsed[1200] == ["1199", 'name, with "quotes" 1199', "'=1+1"]
