"""Response headers every page carries, personal pages kept out of caches, and the client's address
taken correctly behind reverse proxies.

The headers are set here rather than by Flask-Talisman: Talisman overwrites a header a view set for
its own response (the pages whose address holds a token send ``Referrer-Policy: no-referrer``), and
decides on HSTS from an X-Forwarded-Proto header any client can send. Here a view's own value wins,
and the scheme comes from ProxyFix, which believes only the trusted proxies.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

# Only the app's own files run or style a page: no inline <script>, <style>, event handler
# (onclick="...") or style="..." attribute. The templates keep scripts in static/js (data reaches them
# through data-* attributes or <script type="application/json">, which is not run) and styles in
# static/css; SVG presentation attributes such as fill="..." are not styles, so maps, swatches and
# logo placeholders draw their colours with them. data: images are the QR codes and Bootstrap's icons.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# The door and the booth scanner use the camera; nothing uses the microphone or the location.
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), browsing-topics=()"
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the city's domain are not ours

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    trusted = app.config["TRUSTED_PROXIES"]
    if trusted:
        # Each trusted proxy appends the address it saw to X-Forwarded-For: the client is the one the
        # outermost trusted proxy saw. Without a proxy the header is the client's to forge, so it is ignored.
        # X-Forwarded-Proto is set (not appended) by the proxy next to us: deploy/nginx.conf passes on the
        # scheme the TLS terminator in front reported, so its one value is the one to believe.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=1)
    app.after_request(add_security_headers)
    app.after_request(keep_personal_pages_out_of_caches)


def add_security_headers(response: Response) -> Response:
    """The headers above on every response; a view that set one of them for its response keeps its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    # Browsers honour HSTS only over https; in production the site is https for good (secure cookies).
    if current_app.config["APP_ENV"] == "production" and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


SECRET_LINK_PAGES = frozenset({"organizations.invitation", "accounts.reset_password", "accounts.verify_email"})


def keep_personal_pages_out_of_caches(response: Response) -> Response:
    """Whatever a logged-in person is shown (pages, résumés, badges, exports) is stored by no cache,
    the browser's included, so the next user of a shared computer cannot bring it back.

    Responses that say they are public (logos, public calendar feeds) and the static files keep their
    own rules. The session decides, not the database: this works even when the database is down.
    Pages opened with a secret link (an invitation, a password reset, an e-mail check) show personal
    details before anyone logs in, so they are kept out of caches too."""
    if request.endpoint == "static" or response.cache_control.public:
        return response
    if session.get("_user_id") is not None or request.endpoint in SECRET_LINK_PAGES:
        response.cache_control.no_store = True
        response.cache_control.private = True
        response.cache_control.max_age = None
    return response
