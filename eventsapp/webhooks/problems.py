"""Why a delivery failed or an endpoint was stopped, as codes: the database keeps the code, the pages show
it in the reader's language. Never the text of a socket error or an exception (it tells the owner about our
network, and it is not translated). An unknown code (a row written before the codes) reads as a failure."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# A delivery's last_error.
DNS_FAILED = "dns_failed"
CONNECT_FAILED = "connect_failed"
TIMEOUT = "timeout"
TLS_FAILED = "tls_failed"
HTTP_STATUS = "http_status"
BAD_RESPONSE = "bad_response"
PRIVATE_ADDRESS = "private_address"
BAD_ADDRESS = "bad_address"
ACCESS_LOST = "access_lost"
ERASED = "erased"
SECRET_UNREADABLE = "secret_unreadable"
BOOTH_LOST = "booth_lost"
CONSENT_WITHDRAWN = "consent_withdrawn"
# An endpoint's disabled_reason.
FAILURES = "failures"
ORGANIZATION_SUSPENDED = "organization_suspended"
ORGANIZATION_REJECTED = "organization_rejected"

MESSAGES = {
    DNS_FAILED: _l("The host name did not resolve."),
    CONNECT_FAILED: _l("The receiver could not be reached (the connection was refused or cut)."),
    TIMEOUT: _l("The receiver did not answer in time."),
    TLS_FAILED: _l("The secure connection failed (check the receiver's certificate)."),
    HTTP_STATUS: _l("The receiver answered with an error status."),
    BAD_RESPONSE: _l("The receiver's answer was not valid HTTP."),
    PRIVATE_ADDRESS: _l("The address is on a private or local network: nothing was sent."),
    BAD_ADDRESS: _l("The address is not accepted any more: nothing was sent."),
    ACCESS_LOST: _l("Not sent: the endpoint's owner no longer has access to it."),
    ERASED: _l("Not sent: the personal data it carried was erased."),
    BOOTH_LOST: _l("Not sent: your organization no longer holds an active booth at this event."),
    CONSENT_WITHDRAWN: _l("Not sent: the candidate it is about no longer agrees to be shown to employers."),
    SECRET_UNREADABLE: _l("Not sent: the endpoint's secret cannot be read with the current key. Replace the secret."),
    FAILURES: _l("Disabled after too many failed attempts in a row."),
    ORGANIZATION_SUSPENDED: _l("Stopped because your organization was suspended."),
    ORGANIZATION_REJECTED: _l("Stopped because your organization was not accepted."),
}
UNKNOWN = _l("The attempt failed.")


def message(code: str | None) -> str:
    """The translated message for a stored code ('' for none)."""
    if not code:
        return ""
    return str(MESSAGES.get(code, UNKNOWN))
