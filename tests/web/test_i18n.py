"""Both languages: how the language is chosen, and that both catalogs are complete."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from eventsapp.accounts.models import Role

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = ROOT / "eventsapp" / "translations"


def test_the_product_default_is_chinese():
    import os

    from eventsapp.config import Config
    assert Config.BABEL_DEFAULT_LOCALE == os.environ.get("DEFAULT_LOCALE", "zh_CN")


def test_without_a_choice_or_accept_language_pages_use_the_default_language(client, chinese_by_default):
    assert "活动" in client.get("/events").get_data(as_text=True)
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_accept_language_chooses_english(client):
    page = client.get("/events", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Upcoming" in page


def test_traditional_chinese_browsers_get_the_chinese_pages(client):
    assert '<html lang="zh-CN">' in client.get("/", headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)


def test_the_users_choice_beats_accept_language_and_is_remembered(client, make_user, login):
    client.get("/language/en?next=/events")
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    user = make_user(Role.CANDIDATE, locale="zh_CN")
    login(user)
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)  # the account's language
    client.get("/language/en")
    other_device = client.application.test_client()
    other_device.post("/login", data={"email": user.email, "password": "correct horse battery staple"})
    assert '<html lang="en">' in other_device.get("/").get_data(as_text=True)


def test_the_language_switch_only_redirects_within_the_site(client):
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/"
    assert client.get("/language/en?next=/events?kind=fair").headers["Location"] == "/events?kind=fair"
    assert client.get("/language/klingon").status_code == 302


def _makefile_extraction_command(output: Path) -> list[str]:
    """The `pybabel extract` command `make catalog-update` runs, writing to ``output`` instead."""
    plan = subprocess.run(["make", "--no-print-directory", "-n", "catalog-update"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    line = next(line for line in plan.splitlines() if "pybabel extract" in line)
    words = shlex.split(line)
    words[words.index("-o") + 1] = str(output)
    return [sys.executable, "-m", "babel.messages.frontend", *words[1:]]


@pytest.fixture(scope="module")
def extraction(tmp_path_factory):
    """What the Makefile's extraction reads: the set of files and the messages found."""
    template = tmp_path_factory.mktemp("pot") / "messages.pot"
    result = subprocess.run(_makefile_extraction_command(template), cwd=ROOT, check=True, capture_output=True,
                            text=True)
    files = set(re.findall(r"^extracting messages from (\S+)", result.stderr, flags=re.MULTILINE))
    with template.open("rb") as handle:
        messages = {message.id for message in read_po(handle) if message.id}
    return files, messages


@pytest.fixture(scope="module")
def extracted(extraction):
    messages = extraction[1]
    assert len(messages) > 200, "the extraction found too few strings: check babel.cfg"
    return messages


def test_the_extraction_reads_every_template_and_module(extraction):
    """Babel skips folders starting with "_" by default: a new folder must not slip out of the catalogs."""
    on_disk = {path.relative_to(ROOT).as_posix() for pattern in ("templates/**/*.html", "templates/**/*.txt",
                                                                 "eventsapp/**/*.py")
               for path in ROOT.glob(pattern)}
    missed = sorted(on_disk - extraction[0])
    assert not missed, f"babel.cfg or the Makefile's EXTRACT misses {missed[:10]}"
    assert "templates/_macros/calendar.html" in extraction[0]


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_every_string_in_the_code_is_translated(extracted, locale):
    with (CATALOGS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {message.id for message in catalog
                  if message.id and message.string and all(message.string if isinstance(message.string, tuple)
                                                            else [message.string])
                  and not message.fuzzy}
    missing = sorted(str(m) for m in extracted - translated)
    assert not missing, f"untranslated in {locale} (run `make catalog-update` and translate): {missing[:10]}"


def test_titles_are_quoted_in_chinese_unless_they_bring_their_own_quotes(app):
    from eventsapp.i18n import title_in_quotes
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert title_in_quotes("杭州人才日") == "“杭州人才日”"
        for own in ("“新春纳才” 招聘会", "「青春潮创」", "招聘会“金秋”", "《人才政策》解读会"):
            assert title_in_quotes(own) == own
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert title_in_quotes("Talent Day") == "Talent Day"


def test_the_log_in_prompts_of_flask_login_speak_the_visitors_language(app, client, chinese_by_default):
    page = client.get("/account", follow_redirects=True).get_data(as_text=True)
    assert "请登录后查看此页面。" in page and "Please log in" not in page
    assert 'alert-warning' in page

    from eventsapp.extensions import login_manager
    with app.test_request_context("/account", headers={"Accept-Language": "zh-CN"}):
        assert login_manager.localize_callback(login_manager.needs_refresh_message) == "请重新登录后查看此页面。"
        assert login_manager.needs_refresh_message_category == "warning"


READ_ALOUD_ATTRIBUTES = ("aria-label", "aria-description", "aria-roledescription", "aria-valuetext", "aria-placeholder",
                         "title", "alt", "placeholder")


def untranslated_attribute_texts(template: str) -> list[str]:
    """Attribute values a reader hears or sees that hold words outside a Jinja expression."""
    found = []
    attributes = "|".join(READ_ALOUD_ATTRIBUTES)
    for match in re.finditer(rf'\s({attributes})="([^"]*)"', template):
        outside = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", match[2])
        if re.search(r"[^\W\d_]", outside):
            found.append(match[0].strip())
    return found


def test_every_attribute_text_in_the_templates_is_translated():
    found = {str(path.relative_to(ROOT)): texts for path in sorted((ROOT / "templates").rglob("*.html"))
             if (texts := untranslated_attribute_texts(path.read_text(encoding="utf-8")))}
    assert not found, f"attribute texts outside the catalogs: {found}"


def test_the_attribute_check_finds_words_outside_the_catalog():
    assert untranslated_attribute_texts('<nav aria-label="breadcrumb"><img alt="" title="{{ _(\'Logo\') }}">'
                                        '<input placeholder="例如 {{ year }}">') == [
        'aria-label="breadcrumb"', 'placeholder="例如 {{ year }}"']
