"""A team enters the demo contest in a real browser, by clicking from the home page: the contest's page,
the entry form, the pitch deck, submitting, and "My contest entries"; then the organizer finds the entry
under the event's Contest tabs. Every page on the way is checked with axe-core."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsapp.contests.models import Entry, ReviewAssignment, Round, RoundState
from eventsapp.demo.seed import DEMO_PASSWORD
from eventsapp.extensions import db
from tests.browser.helpers import DESKTOP, FLASH_SUCCESS, account_menu, checked, log_in, menu
from tests.factories import make_pdf

pytestmark = pytest.mark.browser


def test_a_team_enters_the_contest_and_the_organizer_finds_its_entry(visit, demo, screenshot, tmp_path,
                                                                      app, monkeypatch):
    monkeypatch.setitem(app.config, "DECK_FOLDER", str(tmp_path / "decks"))
    deck = tmp_path / "我们的路演.pdf"
    deck.write_bytes(make_pdf(3))
    title = f"Makers of the World {date.today().year + 1}"

    page = visit("en-US", **DESKTOP)
    log_in(page, "demo.phd09@example.com", DEMO_PASSWORD)
    menu(page, "Events")
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    expect(page.get_by_test_id("contest-panel")).to_contain_text("The team leader is under 45")
    page.get_by_test_id("enter-contest").click()
    checked(page, screenshot, "contest-enter")
    page.locator("#title_en").fill("Ocean sensors")
    page.locator("#track_id").select_option(label="Advanced manufacturing")
    page.locator("#summary_en").fill("Cheap sensors for the sea floor.")
    page.locator("#overseas_experience").fill("PhD, University of Tokyo, 2015–2019")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(FLASH_SUCCESS)).to_be_visible()
    expect(page.get_by_test_id("entry-missing")).to_contain_text("Upload the pitch deck")
    page.locator("#deck").set_input_files(str(deck))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(FLASH_SUCCESS)).to_contain_text("3 pages")
    page.get_by_role("button", name="Submit the entry").click()
    expect(page.get_by_test_id("entry-state")).to_have_text("Submitted")
    checked(page, screenshot, "contest-entry")
    account_menu(page, "吴昊 Wu Hao", "My contest entries")
    expect(page.locator("main")).to_contain_text("Ocean sensors")
    checked(page, screenshot, "contest-my-entries")

    page = visit("en-US", **DESKTOP)
    log_in(page, "organizer@example.com", DEMO_PASSWORD)
    menu(page, "Manage")
    page.get_by_role("link", name="All events").first.click()
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    page.get_by_test_id("tab-contest").click()
    checked(page, screenshot, "contest-settings")
    page.get_by_test_id("tab-entries").click()
    page.get_by_role("link", name="Ocean sensors").click()
    expect(page.locator("main")).to_contain_text("PhD, University of Tokyo")
    checked(page, screenshot, "contest-organizer-entry")


def test_the_demo_judge_scores_with_the_deck_at_hand_and_the_organizer_closes_the_round_from_results(
        visit, demo, screenshot, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "DECK_FOLDER", str(tmp_path))
    (tmp_path / "deck.pdf").write_bytes(make_pdf(4))
    title = f"Makers of the World {date.today().year + 1}"
    with app.app_context():
        for entry in db.session.scalars(select(Entry).join(ReviewAssignment, ReviewAssignment.entry_id == Entry.id)
                                        .join(Round, Round.id == ReviewAssignment.round_id)
                                        .where(Round.state == RoundState.OPEN)):
            entry.deck_storage_name, entry.deck_filename, entry.deck_pages = "deck.pdf", "团队路演.pdf", 4
        db.session.commit()

    page = visit("en-US", **DESKTOP)
    log_in(page, "judge@example.com", DEMO_PASSWORD)
    account_menu(page, "周教授 Prof. Zhou", "My reviews")
    expect(page.locator("main")).to_contain_text("Heats (online review)")
    page.locator("main a[href*='/entries/']").first.click()
    expect(page.get_by_test_id("blind")).to_be_visible()
    expect(page.get_by_test_id("deck")).to_contain_text("4 pages")
    checked(page, screenshot, "judge-sheet-with-deck")
    with page.expect_download() as download:
        page.get_by_test_id("deck").click()
    assert re.fullmatch(r"entry-\d+\.pdf", download.value.suggested_filename)

    page = visit("en-US", **DESKTOP)
    log_in(page, "candidate@example.com", DEMO_PASSWORD)
    account_menu(page, "李明轩", "My contest entries")
    page.get_by_role("link", name="Multimodal models for industrial inspection").first.click()
    expect(page.get_by_test_id("blind-deck-hint")).to_be_visible()
    checked(page, screenshot, "contest-entry-blind-hint")

    page = visit("en-US", **DESKTOP)
    log_in(page, "organizer@example.com", DEMO_PASSWORD)
    menu(page, "Manage")
    page.get_by_role("link", name="All events").first.click()
    page.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    page.get_by_test_id("tab-results").click()
    page.locator("[data-testid^='close-round-']").first.click()
    expect(page.get_by_test_id("consequences")).to_contain_text("assigned sheets are submitted")
    checked(page, screenshot, "close-round-confirmation")
    page.get_by_test_id("confirm").click()
    expect(page.locator(FLASH_SUCCESS)).to_contain_text("The round is closed")
    expect(page.locator("[data-testid^='close-round-']")).to_have_count(0)
    checked(page, screenshot, "results-after-closing")
