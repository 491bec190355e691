from __future__ import annotations

import pytest

from coopvote.spreadsheet import safe_cell


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell_keeps_formula_starts_as_text(cell: str) -> None:
    assert safe_cell(cell) == f"'{cell}"


@pytest.mark.parametrize("cell", ["Alpha", "", "1", "a=b"])
def test_safe_cell_leaves_plain_cells_alone(cell: str) -> None:
    assert safe_cell(cell) == cell
