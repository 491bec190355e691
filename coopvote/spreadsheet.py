"""Cells written for spreadsheets: what a spreadsheet would run as a formula is kept as text."""


def safe_cell(cell: str) -> str:
    """``cell``, with a leading apostrophe when it starts as a formula or a control character
    would (CSV injection: OWASP's list ``= + - @``, tab and carriage return)."""
    return f"'{cell}" if cell[:1] in {"=", "+", "-", "@", "\t", "\r"} else cell
