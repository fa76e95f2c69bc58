"""Words, not codes: the pages show states, kinds and roles in the reader's language.

Every state the code knows is an ``Enum`` whose values are English codes ("waitlisted",
"talent_day", "not_entitled"). A Chinese page that shows one of them as text shows a raw code.
The pages are the main pages of each role on the demo data (tests/web/demo_pages.py).
"""
from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from html.parser import HTMLParser

import eventsapp
from eventsapp.matchmaking import fitscore
from tests.web.demo_pages import render_every_role

# Codes that are also ordinary words of the demo data or of names ("A" for a talent class is shown
# with its description; an industry letter with its section's name).
ORDINARY = {"other", "open", "done", "standard", "double", "valid", "saved", "updated", "profile", "resume"}


def enum_codes() -> set[str]:
    """The value of every member of every Enum in the app that reads like a code word, and the fit
    score's criteria."""
    codes = set(fitscore.CRITERIA)
    for module in pkgutil.walk_packages(eventsapp.__path__, "eventsapp."):
        for thing in vars(importlib.import_module(module.name)).values():
            if isinstance(thing, type) and issubclass(thing, enum.Enum) and thing.__module__.startswith("eventsapp"):
                codes |= {member.value for member in thing if isinstance(member.value, str)}
    return {code for code in codes if re.fullmatch(r"[a-z][a-z0-9_]{3,}", code) and code not in ORDINARY}


class TextOf(HTMLParser):
    """The text a reader sees, other than what someone typed: no scripts, styles, attribute values or
    the contents of text areas (an English description says "fair" and "conference" as words), nor of
    elements marked translate="no" (the API reference quotes its OpenAPI document, codes and all)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._untranslated: list[str] = []  # the tags of the open translate="no" elements

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "textarea")
        if ("translate", "no") in attrs:
            self._untranslated.append(tag)
            self._skip += 1

    def handle_endtag(self, tag):
        if self._untranslated and self._untranslated[-1] == tag:
            self._untranslated.pop()
            self._skip -= 1
        self._skip -= tag in ("script", "style", "textarea") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def codes_shown(html: str, codes: set[str]) -> set[str]:
    parser = TextOf()
    parser.feed(html)
    # An e-mail address, a web address or a slug ("postdoc-roundtable-2026") is not a word.
    chunks = [chunk for chunk in " ".join(parser.parts).split() if not re.search(r"@|/|[a-z0-9]-[a-z0-9]", chunk)]
    return set(re.findall(r"[A-Za-z0-9_]+", " ".join(chunks))) & codes


def test_no_page_shows_a_state_kind_or_role_as_its_code(app, demo, chinese_by_default):
    codes = enum_codes()
    assert {"waitlisted", "talent_day", "superseded", "pending"} <= codes
    pages = render_every_role(app, demo, public_languages=("zh-CN",))
    found = {page: shown for page, html in pages.items() if (shown := codes_shown(html, codes))}
    assert not found, f"raw codes on Chinese pages: {found}"


def test_the_check_finds_a_code_among_words():
    codes = {"waitlisted", "talent_day"}
    assert codes_shown('<p title="waitlisted">候补 <b>talent_day</b></p><script>"waitlisted"</script>'
                       "<p>waitlisted@example.org talent-day-2027</p>", codes) == {"talent_day"}
    assert codes_shown('<p translate="no">status: waitlisted</p><p>talent_day</p>', codes) == {"talent_day"}
