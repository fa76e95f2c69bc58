"""How events read in words: their kinds and statuses, alike on pages, forms and calendar feeds."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.candidates.choices import HANGZHOU_DISTRICTS
from eventsapp.events.models import EventKind

KIND_LABELS = {
    EventKind.FAIR: _l("Recruitment fair"),
    EventKind.COMPETITION: _l("Competition"),
    EventKind.TALENT_DAY: _l("Talent Day"),
    EventKind.CONFERENCE: _l("Exchange conference"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")}

# The districts' names in pinyin, for English pages (the Chinese name is the official one and comes first).
DISTRICT_PINYIN = dict(zip(HANGZHOU_DISTRICTS, (
    "Shangcheng", "Gongshu", "Xihu", "Binjiang", "Xiaoshan", "Yuhang", "Linping", "Qiantang", "Fuyang", "Lin'an",
    "Tonglu", "Chun'an", "Jiande"), strict=True))


def district_words(district: str, language: str) -> str:
    """A Hangzhou district as people read it: 西湖区 in Chinese, "西湖区 Xihu" in English."""
    if language == "zh" or district not in DISTRICT_PINYIN:
        return district
    return f"{district} {DISTRICT_PINYIN[district]}"
