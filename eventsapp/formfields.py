"""Form fields and formats shared by the features' forms."""
from __future__ import annotations

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from wtforms import SelectMultipleField, widgets

# What an <input type="datetime-local"> sends (minutes, no seconds).
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes instead of a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WebForm(FlaskForm):
    """The base of every form the pages post: it reads the posted form and files only.

    Flask-WTF would otherwise take a JSON body as the form's data, and a number where a form only ever
    sends text breaks the text checks (a 500). Scripts use the JSON endpoints; a JSON body sent to a
    page is treated as an empty form, which fails validation with the usual messages.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json:
                return request.form if request.method in SUBMIT_METHODS else None
            return super().wrap_formdata(form, formdata)
