from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from eventsapp.accounts.models import SELF_SERVICE_ROLES, Role
from eventsapp.accounts.passwords import MAX_LENGTH
from eventsapp.formfields import WebForm

ROLE_LABELS = {
    Role.CANDIDATE: _l("Candidate"),
    Role.EMPLOYER: _l("Employer"),
    Role.ORGANIZER: _l("Organizer"),
    Role.ADMIN: _l("Administrator"),
}


class SignupForm(WebForm):
    role = RadioField(
        _l("I am"),
        choices=[SelectChoice(Role.CANDIDATE.value, _l("a candidate looking for a job")),
                 SelectChoice(Role.EMPLOYER.value, _l("an employer looking for talent"))],
        default=Role.CANDIDATE.value,
        validators=[DataRequired(_l("Choose what kind of account you need."))],
    )
    display_name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=100, message=_l("At most %(max)d characters."))])
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("At most %(max)d characters.")),
        Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH, message=_l("At most %(max)d characters."))],
        description=_l("At least 10 characters; a short sentence is easy to remember."))
    password_confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords are not the same."))])

    @property
    def chosen_role(self) -> Role:
        role = Role(self.role.data)
        assert role in SELF_SERVICE_ROLES
        return role


class LoginForm(WebForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(_l("Enter your e-mail address.")),
                                                 Length(max=254, message=_l("At most %(max)d characters."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Remember me on this device"))


class ChangePasswordForm(WebForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a new password.")), Length(max=MAX_LENGTH, message=_l("At most %(max)d characters."))],
        description=_l("At least 10 characters; a short sentence is easy to remember."))
    new_password_confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("new_password", _l("The two passwords are not the same."))])


class RoleForm(WebForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
                       validators=[DataRequired()])


class ForgotPasswordForm(WebForm):
    email = EmailField(_l("E-mail"), validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("At most %(max)d characters.")),
        Email(_l("Enter a valid e-mail address, like name@example.com."), check_deliverability=False)])


class ResetPasswordForm(WebForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a new password.")), Length(max=MAX_LENGTH, message=_l("At most %(max)d characters."))],
        description=_l("At least 10 characters; a short sentence is easy to remember."))
    password_confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")), EqualTo("password", _l("The two passwords are not the same."))])
