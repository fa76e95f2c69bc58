from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from eventsapp.badges.batches import SORT_LABELS
from eventsapp.badges.models import CREW_ROLES
from eventsapp.badges.rendering import LAYOUTS
from eventsapp.badges.roles import ROLE_LABELS
from eventsapp.formfields import WebForm


class BatchForm(WebForm):
    """What to print: read from the page's query string to preview, posted to render."""

    layout = SelectField(_l("Layout"), choices=[SelectChoice(key, layout.label) for key, layout in LAYOUTS.items()],
                         default="a4-2x4")
    role = SelectField(_l("Role"), choices=[SelectChoice("", _l("Everyone"))] + [
        SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()], default="")
    hall = SelectField(_l("Hall"), choices=[SelectChoice("", _l("Any hall"))], default="")
    booth = StringField(_l("Booth code"), validators=[Optional(), Length(max=20)],
                        filters=[lambda v: (v or "").strip()])
    sort = SelectField(_l("Order"), choices=[SelectChoice(key, label) for key, label in SORT_LABELS.items()],
                       default="name", description=_l("Chinese names in pinyin order."))
    print_anyway = BooleanField(_l("Print the names listed above anyway"))


class CrewForm(WebForm):
    email = EmailField(_l("E-mail of an existing account"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[lambda v: (v or "").strip()])
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in CREW_ROLES],
                       default=CREW_ROLES[2].value)


QR_CHOICES = {"event": _l("This event's own code"), "personal": _l("Each person's personal code")}


class BadgeCodeForm(WebForm):
    """What the QR code on the event's badges carries (Event.badge_personal_code)."""

    qr = RadioField(_l("The QR code on the badges"), default="event", validators=[DataRequired()],
                    choices=[SelectChoice(key, label) for key, label in QR_CHOICES.items()],
                    description=_l("With personal codes, one printed card works at every event its holder has a "
                                   "place at, for a whole season. A person who replaces their personal code makes "
                                   "the code on their printed badge stop working too: reprint it, or let them "
                                   "show the new code on their phone."))
