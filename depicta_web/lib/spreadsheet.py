"""Text written by people, made safe to open in a spreadsheet.

A cell starting with `=`, `+`, `-` or `@` is a formula to Excel, LibreOffice and Google Sheets
(`=HYPERLINK(...)` can send the sheet's other cells to any address); a leading tab or carriage
return can hide such a start. OWASP's remedy: a single quote in front, which spreadsheets show
as text and which a reader sees. Numbers we write ourselves (a negative amount) stay as they are:
only pass text that people typed.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(text: str) -> str:
    """`text` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
