"""Language choice, bilingual fields and local times for templates."""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from eventsapp.config import SUPPORTED_LOCALES

SESSION_LOCALE_KEY = "locale"

# Babel's skeletons give "2027年9月28日 09:00" in Chinese and "28 Sept 2027, 09:00" in English.
DATETIME_PATTERNS = {"zh": "y年M月d日 HH:mm", "en": "d MMM y, HH:mm"}
DATE_PATTERNS = {"zh": "y年M月d日 EEE", "en": "EEE d MMM y"}
TIME_PATTERN = "HH:mm"


def select_locale() -> str:
    """The user's saved choice, else the session's, else Accept-Language, else the default."""
    if not has_request_context():  # CLI commands and jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # the API answers in the language each request asks for
        return _accept_language() or current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in SUPPORTED_LOCALES:
        return current_user.locale
    chosen = session.get(SESSION_LOCALE_KEY)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return _accept_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def _accept_language() -> str | None:
    match = request.accept_languages.best_match(["zh_CN", "zh", "en"])
    if match:
        return "zh_CN" if match.startswith("zh") else "en"
    return None


def current_language() -> str:
    """'zh' or 'en': which of a bilingual pair of fields to show first."""
    return "zh" if str(get_locale()).startswith("zh") else "en"


def pick(obj, field: str, language: str) -> str:
    """``field_zh`` or ``field_en`` for the language, falling back to the other one."""
    preferred, other = ("zh", "en") if language == "zh" else ("en", "zh")
    return getattr(obj, f"{field}_{preferred}") or getattr(obj, f"{field}_{other}") or ""


def localized(obj, field: str) -> str:
    """The field in the page's language, falling back to the other language when empty."""
    return pick(obj, field, current_language())


# Marks a title may already carry (“新春纳才 杭向未来” 2027 …): such a title gets no quotes of ours.
QUOTE_MARKS = "“”‘’「」『』《》\"'"


def coded_text(message, params_json: str | None) -> str | None:
    """A stored code's message (lazy, with %(name)s placeholders) in the reader's language, filled with its
    parameters as stored (JSON); None when they cannot be read or do not fit the message."""
    try:
        params = json.loads(params_json or "{}")
        return str(message) % params if params else str(message)
    except (ValueError, TypeError, KeyError):
        return None


def title_in_quotes(title: str) -> str:
    """A title as a sentence names it: Chinese puts “” around it, English does not; a title that starts
    or ends with its own quote mark is left as it is, so the marks are never doubled."""
    if current_language() != "zh" or not title or title[0] in QUOTE_MARKS or title[-1] in QUOTE_MARKS:
        return title
    return f"“{title}”"


def to_zone(value: datetime, zone_name: str) -> datetime:
    return value.astimezone(ZoneInfo(zone_name))


def _format(value: datetime | None, patterns: dict[str, str] | str, zone_name: str | None) -> str:
    if value is None:
        return ""
    zone = ZoneInfo(zone_name or current_app.config["DEFAULT_EVENT_TIMEZONE"])
    pattern = patterns if isinstance(patterns, str) else patterns[current_language()]
    return babel_format_datetime(value, pattern, tzinfo=zone, locale=get_locale())


def format_local_datetime(value: datetime | None, zone_name: str | None = None) -> str:
    return _format(value, DATETIME_PATTERNS, zone_name)


def format_local_date(value: datetime | None, zone_name: str | None = None) -> str:
    return _format(value, DATE_PATTERNS, zone_name)


def format_local_time(value: datetime | None, zone_name: str | None = None) -> str:
    return _format(value, TIME_PATTERN, zone_name)


def zone_label(zone_name: str) -> str:
    """'Asia/Shanghai (UTC+08:00)' for the moment, so visitors know which clock is meant."""
    offset = datetime.now(ZoneInfo(zone_name)).strftime("%z")
    return f"{zone_name} (UTC{offset[:3]}:{offset[3:]})"


def init_app(app) -> None:
    app.jinja_env.filters["localdt"] = format_local_datetime
    app.jinja_env.filters["localdate"] = format_local_date
    app.jinja_env.filters["localtime"] = format_local_time
    app.jinja_env.globals.update(localized=localized, current_language=current_language, zone_label=zone_label,
                                 title_in_quotes=title_in_quotes,
                                 supported_locales=SUPPORTED_LOCALES)
