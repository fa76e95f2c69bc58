from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from eventsapp.formfields import WebForm
from eventsapp.reports.yearreport import FIRST_YEAR, LAST_YEAR


class YearReportForm(WebForm):
    """Which year's report, in which language: posted (with its CSRF token), as it starts a job."""

    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(FIRST_YEAR, LAST_YEAR)])
    lang = SelectField(_l("Language"), choices=[SelectChoice("zh_CN", "中文"), SelectChoice("en", "English")],
                       default="zh_CN")
