"""Employers browse the registrants they may see, shortlist them; candidates see who viewed them."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from eventsapp.accounts.models import Role, User
from eventsapp.booths.models import Booth
from eventsapp.browse import export, services
from eventsapp.browse.forms import SORT_LABELS, BrowseForm, ShortlistAddForm, ShortlistEntryForm
from eventsapp.browse.models import ViewedItem
from eventsapp.candidates.choices import DEGREE_LABELS, SKILL_SUGGESTIONS, TALENT_CLASS_DESCRIPTIONS
from eventsapp.candidates.models import CandidateProfile
from eventsapp.candidates.services import resume_path, site_today
from eventsapp.candidates.views import resume_response
from eventsapp.events.models import Event
from eventsapp.extensions import db
from eventsapp.loaders import event_or_404, staff_booth_or_403
from eventsapp.main.errors import render_error
from eventsapp.organizations import access
from eventsapp.urls import safe_next_url
from eventsapp.validation import ValidationFailed, apply_to_form

blueprint = Blueprint("browse", __name__)

VIEWED_ITEM_LABELS = {ViewedItem.PROFILE: _l("Profile"), ViewedItem.RESUME: _l("Résumé")}


def _me() -> User:
    return current_user._get_current_object()


def _booth_at(event_id: int) -> tuple[Event, Booth]:
    """The event and the user's approved booth there; 403 without one."""
    event = event_or_404(event_id)
    booth = access.approved_booth(_me(), event.id)
    if booth is None:
        abort(make_response(render_error(403, _("Only the staff of an organization with an approved booth at "
                                                "this event can see its registrants."))))
    return event, booth


def _visible_candidate(event_id: int, candidate_id: int) -> tuple[Booth, CandidateProfile]:
    """The user's approved booth at the event and the candidate's profile if employers there may see it;
    404 otherwise, whatever the reason."""
    booth = access.approved_booth(_me(), event_id)
    profile = services.visible_profile(event_id, candidate_id) if booth is not None else None
    if profile is None:
        abort(404)
    return booth, profile


def _shortlist_booth(booth_id: int) -> Booth:
    return staff_booth_or_403(booth_id)


# --- Browsing -------------------------------------------------------------------------------------

@blueprint.get("/employer/events/<int:event_id>/registrants")
@login_required
def registrants(event_id: int):
    event, booth = _booth_at(event_id)
    form = BrowseForm(formdata=request.args)
    form.validate()
    pagination = services.browse_registrants(event.id, form.to_filters(), site_today().year,
                                             page=request.args.get("page", 1, type=int))
    shortlisted = services.shortlisted_ids(booth, [profile.user_id for profile in pagination.items])
    return render_template("browse/registrants.html", event=event, booth=booth, form=form, pagination=pagination,
                           shortlisted=shortlisted, degree_labels=DEGREE_LABELS, skill_suggestions=SKILL_SUGGESTIONS,
                           talent_classes=TALENT_CLASS_DESCRIPTIONS, sort_labels=SORT_LABELS)


# --- A candidate's profile and résumé ----------------------------------------------------------------

def _render_candidate(event_id: int, booth: Booth, profile: CandidateProfile,
                      entry_form: ShortlistEntryForm | None = None):
    entry = services.entry_for(booth, profile.user_id)
    if entry_form is None:
        entry_form = ShortlistEntryForm(formdata=None, obj=entry, prefix=f"entry-{entry.id}" if entry else "")
    return render_template("browse/candidate.html", event=db.session.get(Event, event_id), booth=booth,
                           profile=profile, entry=entry, entry_form=entry_form,
                           has_resume=resume_path(profile) is not None, degree_labels=DEGREE_LABELS,
                           talent_classes=TALENT_CLASS_DESCRIPTIONS), 422 if entry_form.errors else 200


@blueprint.get("/employer/events/<int:event_id>/candidates/<int:candidate_id>")
@login_required
def candidate(event_id: int, candidate_id: int):
    booth, profile = _visible_candidate(event_id, candidate_id)
    services.record_view(candidate_id, _me(), booth.organization_id, event_id, ViewedItem.PROFILE)
    db.session.commit()
    return _render_candidate(event_id, booth, profile)


@blueprint.get("/employer/events/<int:event_id>/candidates/<int:candidate_id>/resume")
@login_required
def candidate_resume(event_id: int, candidate_id: int):
    booth, profile = _visible_candidate(event_id, candidate_id)
    if resume_path(profile) is None:
        abort(404)
    services.record_view(candidate_id, _me(), booth.organization_id, event_id, ViewedItem.RESUME)
    db.session.commit()
    return resume_response(profile)


# --- Shortlists -----------------------------------------------------------------------------------

def _back_to(form, fallback: str):
    return redirect(safe_next_url(form.next.data, fallback))


def _candidate_with_errors(booth: Booth, form: ShortlistAddForm):
    """The profile page again, with the shortlist form's messages (404 if the candidate is not visible)."""
    _booth, profile = _visible_candidate(booth.event_id, form.candidate_id.data)
    return _render_candidate(booth.event_id, booth, profile, entry_form=form)


@blueprint.post("/employer/booths/<int:booth_id>/shortlist")
@login_required
def shortlist_add(booth_id: int):
    booth = _shortlist_booth(booth_id)
    form = ShortlistAddForm()
    if not form.validate_on_submit():
        if form.candidate_id.errors:
            abort(400)
        return _candidate_with_errors(booth, form)
    try:
        entry = services.add_to_shortlist(booth, form.candidate_id.data, _me(), form.note.data or "", form.rank.data)
    except LookupError:
        abort(404)
    except ValidationFailed as failure:
        apply_to_form(form, failure)
        return _candidate_with_errors(booth, form)
    db.session.commit()
    flash(_("Added to your shortlist."), "success")
    return _back_to(form, url_for("browse.shortlist", booth_id=booth.id, _anchor=f"entry-{entry.id}"))


@blueprint.get("/employer/booths/<int:booth_id>/shortlist")
@login_required
def shortlist(booth_id: int, failed: tuple[int, ShortlistEntryForm] | None = None):
    booth = _shortlist_booth(booth_id)
    rows = services.shortlist_of(booth)
    forms = {row.entry.id: ShortlistEntryForm(formdata=None, obj=row.entry, prefix=f"entry-{row.entry.id}")
             for row in rows}
    if failed is not None:
        forms[failed[0]] = failed[1]
    page = render_template("browse/shortlist.html", booth=booth, event=booth.event, rows=rows, forms=forms,
                           degree_labels=DEGREE_LABELS, talent_classes=TALENT_CLASS_DESCRIPTIONS)
    return page, 422 if failed else 200


def _entry(booth: Booth, entry_id: int):
    entry = services.find_entry(booth, entry_id)
    if entry is None:
        abort(404)
    return entry


@blueprint.post("/employer/booths/<int:booth_id>/shortlist/<int:entry_id>")
@login_required
def shortlist_update(booth_id: int, entry_id: int):
    booth = _shortlist_booth(booth_id)
    entry = _entry(booth, entry_id)
    form = ShortlistEntryForm(prefix=f"entry-{entry.id}")
    if form.validate_on_submit():
        try:
            services.update_entry(entry, form.note.data or "", form.rank.data)
        except ValidationFailed as failure:
            apply_to_form(form, failure)
        else:
            db.session.commit()
            flash(_("The shortlist has been saved."), "success")
            return _back_to(form, url_for("browse.shortlist", booth_id=booth.id, _anchor=f"entry-{entry.id}"))
    return shortlist(booth.id, failed=(entry.id, form))


@blueprint.post("/employer/booths/<int:booth_id>/shortlist/<int:entry_id>/remove")
@login_required
def shortlist_remove(booth_id: int, entry_id: int):
    booth = _shortlist_booth(booth_id)
    services.remove_entry(_entry(booth, entry_id))
    db.session.commit()
    flash(_("Removed from your shortlist."), "success")
    return redirect(url_for("browse.shortlist", booth_id=booth.id))


@blueprint.get("/employer/booths/<int:booth_id>/shortlist.csv")
@login_required
def shortlist_csv(booth_id: int):
    booth = _shortlist_booth(booth_id)
    codes = request.args.get("codes") == "1"  # stable column codes for scripts, as the README promises
    body = export.shortlist_csv(services.shortlist_of(booth), _("No longer visible"), codes=codes)
    filename = f"shortlist-{booth.event.slug}-{booth.id}.csv"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


# --- Candidates: who viewed my profile ------------------------------------------------------------

@blueprint.get("/my/profile-views")
@login_required
def my_profile_views():
    if current_user.role != Role.CANDIDATE:
        abort(403)
    pagination = db.paginate(services.views_of_query(current_user.id), per_page=services.PER_PAGE,
                             error_out=False)
    return render_template("browse/profile_views.html", pagination=pagination, item_labels=VIEWED_ITEM_LABELS)
