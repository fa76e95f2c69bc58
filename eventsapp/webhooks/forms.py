from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from eventsapp.formfields import CheckboxesField, WebForm
from eventsapp.requestbounds import is_ascii_digits
from eventsapp.webhooks.events import EVENT_TYPES
from eventsapp.webhooks.services import DESCRIPTION_MAX_LENGTH, EndpointData
from eventsapp.webhooks.targets import MAX_URL_LENGTH

TOO_LONG = _l("At most %(max)d characters.")
ALL_EVENTS = ""


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class EndpointForm(WebForm):
    url = StringField(_l("Address (https://...)"), filters=[_strip], validators=[
        DataRequired(_l("Give the address that receives the deliveries.")),
        Length(max=MAX_URL_LENGTH, message=TOO_LONG)],
        description=_l("We POST a signed JSON body to it; it should answer 2xx within a few seconds."))
    description = StringField(_l("Description (optional)"), filters=[_strip], validators=[
        Optional(), Length(max=DESCRIPTION_MAX_LENGTH, message=TOO_LONG)])
    event_id = SelectField(_l("Events"), choices=[], validate_choice=True)
    event_types = CheckboxesField(_l("Event types"), choices=[],
                                  validators=[DataRequired(_l("Pick at least one of the event types listed."))])

    def offer(self, allowed_types, events, localized) -> None:
        """The choices this user has: the event types they may pick and (organizers) the events."""
        self.event_types.choices = [(name, f"{EVENT_TYPES[name]} ({name})") for name in allowed_types]
        if events is None:
            del self.event_id
        else:
            self.event_id.choices = [(ALL_EVENTS, _l("All events")), *[(str(event.id), localized(event, "title"))
                                                                      for event in events]]

    def to_data(self) -> EndpointData:
        event_id = getattr(self, "event_id", None)
        chosen = event_id.data if event_id is not None else ALL_EVENTS
        return EndpointData(self.url.data or "", self.description.data or "", list(self.event_types.data or []),
                            int(chosen) if chosen and is_ascii_digits(chosen) else None)
