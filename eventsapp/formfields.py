"""Form fields and formats shared by the features' forms."""
from __future__ import annotations

from wtforms import SelectMultipleField, widgets

# What an <input type="datetime-local"> sends (minutes, no seconds).
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes instead of a multi-select box."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
