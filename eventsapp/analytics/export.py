"""The analytics tables as files: CSV (one table) and XLSX (one sheet per table), headers in the reader's
language, text cells kept from being read as formulas exactly as the CSV exports do."""
from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from eventsapp.analytics.tables import Table, cell_text, cell_value, number_format
from eventsapp.spreadsheets import csv_bytes, excel_safe, header

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel refuses sheet names longer than this, or with any of these characters.
SHEET_NAME_LENGTH = 31
SHEET_NAME_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})


def _safe(value):
    return excel_safe(value) if isinstance(value, str) else value


def table_csv(table: Table) -> bytes:
    # Only words can carry a formula; our own numbers (an NPS of -20) are written as they are.
    return csv_bytes(header(table.columns), ([_safe(cell) if isinstance(cell, str) else cell_text(cell) for cell in row]
                                             for row in table.rows))


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table: its title in bold, then its header and rows; counts stay numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.title.translate(SHEET_NAME_FORBIDDEN)[:SHEET_NAME_LENGTH])
        sheet.append(header(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_safe(cell_value(cell)) for cell in row])
            for written, cell in zip(sheet[sheet.max_row], row, strict=True):
                written.number_format = number_format(cell) or written.number_format
        for index, column in enumerate(table.columns, start=1):
            width = max([len(str(column.title))] + [len(cell_text(row[index - 1])) for row in table.rows])
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(60, width * 1.6 + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
