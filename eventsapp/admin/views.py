"""Administrators: people and their roles."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventsapp.accounts import services
from eventsapp.accounts.access import admin_required
from eventsapp.accounts.forms import ROLE_LABELS, RoleForm
from eventsapp.accounts.models import Role, User
from eventsapp.extensions import db
from eventsapp.textsearch import contains_pattern
from eventsapp.validation import ValidationFailed

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.before_request
@admin_required
def require_admin():
    """Every page here is for administrators only."""


@blueprint.get("/users")
def users():
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    search = request.args.get("q", "").strip()[:100]
    if search:
        pattern = contains_pattern(search.lower())  # % and _ typed are taken literally
        query = query.where(User.email.like(pattern, escape="\\") | User.display_name.ilike(pattern, escape="\\"))
    role = request.args.get("role")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    pagination = db.paginate(query, per_page=50, error_out=False)
    return render_template("admin/users.html", pagination=pagination, search=search, role=role,
                           role_labels=ROLE_LABELS, form=RoleForm())


@blueprint.post("/users/<int:user_id>/role")
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            services.grant_role(current_user, user, Role(form.role.data))
        except ValidationFailed as failure:
            for _field, message in failure.errors:
                flash(str(message), "danger")
        else:
            db.session.commit()
            flash(_("%(email)s is now: %(role)s.", email=user.email, role=ROLE_LABELS[user.role]), "success")
    else:
        flash(_("Choose a role from the list."), "danger")
    return redirect(url_for("admin.users", q=request.args.get("q", "")))
