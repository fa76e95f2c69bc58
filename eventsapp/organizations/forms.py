"""Forms for organizations: their details, inviting colleagues, and organizers' decisions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from eventsapp.formfields import WebForm
from eventsapp.organizations.choices import INDUSTRY_LABELS, ORGANIZATION_SIZE_LABELS
from eventsapp.organizations.creditcode import normalize_credit_code
from eventsapp.organizations.models import Industry, OrganizationSize
from eventsapp.organizations.services import REASON_MAX_LENGTH, TEXT_LIMITS, OrganizationData

TOO_LONG = _l("At most %(max)d characters.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _credit_code(value):
    return normalize_credit_code(value) if isinstance(value, str) else value


class OrganizationForm(WebForm):
    name_zh = StringField(_l("Name in Chinese"), filters=[_strip],
                          validators=[Length(max=TEXT_LIMITS["name_zh"], message=TOO_LONG)],
                          description=_l("As registered, e.g. 杭州示例科技有限公司."))
    name_en = StringField(_l("Name in English"), filters=[_strip],
                          validators=[Length(max=TEXT_LIMITS["name_en"], message=TOO_LONG)],
                          description=_l("Enter at least one of the two names."))
    credit_code = StringField(_l("Unified social credit code"), filters=[_credit_code],
                              validators=[DataRequired(_l("Enter the unified social credit code (18 characters).")),
                                          Length(max=40, message=TOO_LONG)],
                              render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 40,
                                         "autocapitalize": "characters"},
                              description=_l("统一社会信用代码: the 18 characters on the business licence."))
    industry = SelectField(_l("Industry"), validators=[DataRequired(_l("Choose the industry."))])
    size = SelectField(_l("Number of employees"), validators=[DataRequired(_l("Choose the number of employees."))])
    city = StringField(_l("City or district"), filters=[_strip],
                       validators=[Length(max=TEXT_LIMITS["city"], message=TOO_LONG)],
                       render_kw={"list": "district-suggestions"}, description=_l("e.g. 滨江区"))
    website = StringField(_l("Website"), filters=[_strip],
                          validators=[Optional(), Length(max=TEXT_LIMITS["website"], message=TOO_LONG)],
                          render_kw={"inputmode": "url", "autocomplete": "url"},
                          description=_l("Optional, e.g. https://www.example.com"))
    description = TextAreaField(_l("About the organization"), filters=[_strip],
                                validators=[Length(max=TEXT_LIMITS["description"], message=TOO_LONG)],
                                description=_l("What you do and whom you are looking for; candidates read this."))
    logo = FileField(_l("Logo"), render_kw={"accept": "image/png,image/jpeg,.png,.jpg,.jpeg"})

    def __init__(self, *args, max_megabytes: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, so that the labels are in the page's language.
        self.industry.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(industry.value, f"{industry.value} · {label}") for industry, label in INDUSTRY_LABELS.items()]
        self.size.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(size.value, label) for size, label in ORGANIZATION_SIZE_LABELS.items()]
        self.logo.description = _l("PNG or JPEG, at most %(max)s MB; it is shrunk to fit 400 × 400 pixels. "
                                   "A new file replaces the one before.", max=max_megabytes)

    def to_organization_data(self) -> OrganizationData:
        return OrganizationData(
            name_zh=self.name_zh.data or "", name_en=self.name_en.data or "",
            credit_code=self.credit_code.data or "",
            industry=Industry(self.industry.data) if self.industry.data else None,
            size=OrganizationSize(self.size.data) if self.size.data else None,
            city=self.city.data or "", website=self.website.data or "", description=self.description.data or "")

    def fill_from(self, data: OrganizationData) -> None:
        for name in ("name_zh", "name_en", "credit_code", "city", "website", "description"):
            getattr(self, name).data = getattr(data, name)
        self.industry.data = data.industry.value if data.industry else ""
        self.size.data = data.size.value if data.size else ""

    def uploaded_logo(self, max_bytes: int) -> bytes | None:
        """The uploaded file's bytes (one more than allowed, so that too large is noticed), or None."""
        upload = self.logo.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        return upload.read(max_bytes + 1) or b""


class InvitationForm(WebForm):
    email = EmailField(_l("Colleague's e-mail"), filters=[_strip], validators=[
        DataRequired(_l("Enter your colleague's e-mail address.")),
        Length(max=254, message=TOO_LONG),
        Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False)],
        render_kw={"autocomplete": "off"})


class RejectForm(WebForm):
    reason = TextAreaField(_l("Reason"), filters=[_strip],
                           validators=[Length(max=REASON_MAX_LENGTH, message=TOO_LONG)],
                           render_kw={"rows": 3, "maxlength": REASON_MAX_LENGTH},
                           description=_l("The organization's owner reads this in an e-mail and on their page."))
