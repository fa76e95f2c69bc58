"""Résumé files: checked by their content, stored outside the web root, kept in step with the database.

A file is written before the row that names it is committed, and an old file is deleted only
once the row no longer naming it is committed; a rollback deletes the files written in that
transaction. So the database never points at a file that is gone, and no file is left behind
by a failed request.
"""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from eventsapp.pdfcheck import PdfProblem, check_uploaded_pdf
from eventsapp.validation import ValidationFailed

PDF_HEADER = b"%PDF-"
PDF_TRAILER = b"%%EOF"
TRAILER_WINDOW = 1024  # the end-of-file marker must be this close to the end
MAX_FILENAME_LENGTH = 200



class NotAResume(ValidationFailed):
    """The upload is not a PDF we accept; the message says why."""

    def __init__(self, message: str):
        super().__init__([("resume", message)])


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def check_pdf(data: bytes, max_bytes: int, max_pages: int) -> int:
    """The number of pages of a PDF we accept; raises NotAResume with the reason otherwise."""
    if not data:
        raise NotAResume(_l("The file is empty. Choose your résumé as a PDF file."))
    if len(data) > max_bytes:
        raise NotAResume(_l("The file has %(size)s MB; a résumé can have at most %(max)s MB.",
                            size=megabytes(len(data)), max=megabytes(max_bytes)))
    if not data.startswith(PDF_HEADER):
        raise NotAResume(_l("This file is not a PDF. Save your résumé as PDF (e.g. with “Export as PDF”) "
                            "and upload that file."))
    if PDF_TRAILER not in data[-TRAILER_WINDOW:]:
        raise NotAResume(_l("This PDF is incomplete or damaged. Save it again as PDF and upload the new file."))
    try:
        return check_uploaded_pdf(data, max_pages)  # no active content, not encrypted, not too long
    except PdfProblem as problem:
        raise NotAResume(problem.message) from None


_UNSAFE_IN_FILENAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def display_filename(original: str | None) -> str:
    """The uploaded file's own name, safe to show and to offer as a download name (any script kept)."""
    name = unicodedata.normalize("NFC", original or "")
    name = re.split(r"[/\\]", name)[-1]  # browsers on Windows used to send the whole path
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co"))
    name = _UNSAFE_IN_FILENAMES.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem[:MAX_FILENAME_LENGTH - 4].strip(" .") or "resume"
    return f"{stem}.pdf"
