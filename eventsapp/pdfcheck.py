"""Uploaded PDFs (résumés, pitch decks) read by other people: refused when opening them could run
something — JavaScript, a program to launch, embedded files, actions that run by themselves — or
when they are encrypted, damaged or absurdly long. Pure: bytes in, page count or a reason out."""
from __future__ import annotations

from io import BytesIO

from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Dictionary keys that hold active content wherever they appear, and the action types (/S) that
# do something other than move within the document or open a web link.
JAVASCRIPT, LAUNCH, EMBEDDED, AUTOMATIC = "javascript", "launch", "embedded", "automatic"
ACTIVE_KEYS = {"/JS": JAVASCRIPT, "/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/EmbeddedFiles": EMBEDDED,
               "/EmbeddedFile": EMBEDDED, "/AA": AUTOMATIC, "/RichMedia": EMBEDDED, "/XFA": JAVASCRIPT}
ACTIVE_ACTIONS = {"/JavaScript": JAVASCRIPT, "/Launch": LAUNCH, "/GoToE": EMBEDDED, "/RichMediaExecute": EMBEDDED,
                  "/SubmitForm": AUTOMATIC, "/ImportData": AUTOMATIC, "/ResetForm": AUTOMATIC}
KIND_LABELS = {JAVASCRIPT: _l("JavaScript"), LAUNCH: _l("a program to start"), EMBEDDED: _l("embedded files"),
               AUTOMATIC: _l("actions that run by themselves")}
MAX_OBJECTS = 200_000  # far more than any real résumé or deck; beyond it the file is refused, not read on
DAMAGED = _l("This PDF is incomplete or damaged. Save it again as PDF and upload the new file.")


class _TooComplex(Exception):
    pass


class PdfProblem(ValueError):
    """The PDF is not accepted; ``message`` says why, in words for the person who uploaded it."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def check_uploaded_pdf(data: bytes, max_pages: int) -> int:
    """The number of pages of a PDF that is safe to pass on; raises PdfProblem otherwise."""
    try:
        reader = PdfReader(BytesIO(data))
        encrypted = reader.is_encrypted
    except Exception:  # noqa: BLE001 - any parser failure on an uploaded file means "damaged"
        raise PdfProblem(DAMAGED) from None
    if encrypted:
        # Even one that opens without a password is refused: its content cannot be checked, and its
        # owner may have forbidden printing or copying it.
        raise PdfProblem(_l("This PDF is protected with a password or encrypted. Save a copy without protection "
                            "and upload that file."))
    try:
        pages = len(reader.pages)
        found = active_content(reader)
    except _TooComplex:
        raise PdfProblem(_l("This PDF is too complex to check. Save it again as PDF and upload the new "
                            "file.")) from None
    except Exception:  # noqa: BLE001
        raise PdfProblem(DAMAGED) from None
    if found:
        raise PdfProblem(_l("This PDF contains active content (%(what)s), which we do not accept, so that it is safe "
                            "for everyone who opens it. Print it to a new PDF (“Print” → “Save as PDF”) and upload "
                            "that file.", what=", ".join(str(KIND_LABELS[kind]) for kind in sorted(found))))
    if pages < 1:
        raise PdfProblem(DAMAGED)
    if pages > max_pages:
        raise PdfProblem(_l("This PDF has %(pages)d pages; at most %(max)d are accepted.", pages=pages,
                            max=max_pages))
    return pages


def active_content(reader: PdfReader) -> set[str]:
    """The kinds of active content anywhere in the document (every object reachable from its trailer)."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_OBJECTS:
                raise _TooComplex
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too: their dictionaries, not their data
            for name, value in item.items():
                if name in ACTIVE_KEYS:
                    found.add(ACTIVE_KEYS[name])
                elif name == "/S" and value in ACTIVE_ACTIONS:
                    found.add(ACTIVE_ACTIONS[value])
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found
