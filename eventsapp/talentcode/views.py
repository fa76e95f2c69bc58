"""My code: the person's QR code on their phone, its replacement, and what pins it to the home screen
and keeps it readable offline (the web app manifest, its icons and a service worker)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import segno
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsapp.badges.services import holder_names
from eventsapp.config import SUPPORTED_LOCALES
from eventsapp.extensions import db
from eventsapp.formfields import WebForm
from eventsapp.i18n import current_language
from eventsapp.talentcode import codes, icons

blueprint = Blueprint("talentcode", __name__, url_prefix="/my/code")

THEME_COLOUR = "#b3122b"  # the site bar's red (static/css/app.css --brand)
BACKGROUND_COLOUR = "#ffffff"
# What the service worker keeps so that the page opens offline (the page itself it keeps each time it loads).
OFFLINE_ASSETS = ("vendor/bootstrap/bootstrap.min.css", "css/app.css", "css/my_code.css", "img/favicon.svg",
                  "vendor/bootstrap/bootstrap.bundle.min.js", "js/site.js", "js/my_code.js")
# The manifest, its icons and the worker say nothing personal: anyone may fetch them (browsers fetch the
# manifest without cookies), and caches may keep them a day.
PUBLIC_MAX_AGE = 24 * 3600


def qr_data_uri(token: str) -> str:
    """A large, crisp QR code: black on white with the standard quiet zone, drawn as SVG."""
    return segno.make(token, error="m").svg_data_uri(border=4, dark="#000", light="#fff", omitsize=True)


@blueprint.get("/")
@login_required
def my_code():
    code = codes.code_of(current_user.id)
    db.session.commit()  # made on the first visit
    name, name_latin = holder_names(current_user)
    language = "zh_CN" if current_language() == "zh" else "en"
    return render_template("talentcode/my_code.html", qr=qr_data_uri(codes.token_of(code)), code=code, name=name,
                           name_latin=name_latin if name_latin != name else "", form=WebForm(),
                           manifest_url=url_for("talentcode.manifest", lang=language),
                           worker_url=url_for("talentcode.service_worker"), theme_colour=THEME_COLOUR)


@blueprint.post("/replace")
@login_required
def replace():
    if not WebForm().validate_on_submit():
        abort(400)
    codes.replace(current_user.id)
    db.session.commit()
    flash(_("Your code has been replaced. The old code no longer works anywhere, printed badges included."),
          "success")
    return redirect(url_for("talentcode.my_code"))


def _public(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


@blueprint.get("/manifest.webmanifest")
def manifest():
    """The web app manifest that lets a phone pin "My code" to its home screen, in the language asked
    for with ``?lang=`` (the page links it in the reader's language)."""
    language = request.args.get("lang")
    with force_locale(language if language in SUPPORTED_LOCALES else "zh_CN"):
        body = {
            "name": _("My talent code · Hangzhou Talent Events"), "short_name": _("My code"),
            "description": _("Your personal code for the doors and booths of Hangzhou's talent events."),
            "lang": "zh-CN" if language != "en" else "en",
            "id": url_for("talentcode.my_code"), "start_url": url_for("talentcode.my_code"),
            "scope": url_for("talentcode.my_code"), "display": "standalone", "orientation": "portrait",
            "theme_color": THEME_COLOUR, "background_color": BACKGROUND_COLOUR,
            "icons": [{"src": url_for("talentcode.icon", size=size), "sizes": f"{size}x{size}", "type": "image/png",
                       "purpose": "any"} for size in icons.SIZES] + [
                {"src": url_for("talentcode.icon", size=512, maskable=1), "sizes": "512x512", "type": "image/png",
                 "purpose": "maskable"}],
        }
    return _public(Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"))


@blueprint.get("/icon-<int:size>.png")
def icon(size: int):
    if size not in icons.SIZES:
        abort(404)
    return _public(Response(icons.icon_png(size, maskable=request.args.get("maskable") == "1"),
                            mimetype="image/png"))


def _asset_stamps() -> list[tuple[int, int]]:
    """Size and modification time of each file the worker keeps: a changed file makes a new cache."""
    folder = Path(current_app.static_folder)
    return [(stat.st_size, int(stat.st_mtime)) for stat in (
        (folder / name).stat() for name in OFFLINE_ASSETS)]


@blueprint.get("/sw.js")
def service_worker():
    """The service worker, served from /my/code/ so that its scope is the page. Its cache's name changes
    with the files it keeps, so a new version of the site replaces the old copies."""
    page = url_for("talentcode.my_code")
    assets = [url_for("static", filename=name) for name in OFFLINE_ASSETS]
    version = hashlib.sha256(json.dumps([page, assets, _asset_stamps()]).encode()).hexdigest()[:12]
    body = render_template("talentcode/sw.js", page=page, assets=assets, cache_name=f"my-code-{version}")
    response = Response(body, mimetype="text/javascript")
    response.cache_control.no_cache = True  # browsers check for a new worker on every visit anyway
    return response
