"""What an organization is described with: industries (GB/T 4754-2017 sections), sizes, statuses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eventsapp.organizations.models import Industry, OrganizationSize, OrganizationStatus

# The sections of GB/T 4754-2017, named as in the shared REFERENCE.md.
INDUSTRY_LABELS = {
    Industry.A: _l("Agriculture, forestry, animal husbandry and fishery"),
    Industry.B: _l("Mining"),
    Industry.C: _l("Manufacturing"),
    Industry.D: _l("Electricity, heat, gas and water"),
    Industry.E: _l("Construction"),
    Industry.F: _l("Wholesale and retail"),
    Industry.G: _l("Transport, storage and post"),
    Industry.H: _l("Accommodation and catering"),
    Industry.I: _l("Information transmission, software and IT services"),
    Industry.J: _l("Finance"),
    Industry.K: _l("Real estate"),
    Industry.L: _l("Leasing and business services"),
    Industry.M: _l("Scientific research and technical services"),
    Industry.N: _l("Water, environment and public facilities"),
    Industry.O: _l("Resident and repair services"),
    Industry.P: _l("Education services"),
    Industry.Q: _l("Health and social work"),
    Industry.R: _l("Culture, sports and entertainment"),
    Industry.S: _l("Public administration and social organisations"),
    Industry.T: _l("International organisations"),
}

ORGANIZATION_SIZE_LABELS = {
    OrganizationSize.UNDER_20: _l("Fewer than 20 employees"),
    OrganizationSize.FROM_20: _l("20–99 employees"),
    OrganizationSize.FROM_100: _l("100–499 employees"),
    OrganizationSize.FROM_500: _l("500–999 employees"),
    OrganizationSize.FROM_1000: _l("1,000 employees or more"),
}

ORGANIZATION_STATUS_LABELS = {
    OrganizationStatus.PENDING: _l("Awaiting verification"),
    OrganizationStatus.VERIFIED: _l("Verified"),
    OrganizationStatus.REJECTED: _l("Rejected"),
    OrganizationStatus.SUSPENDED: _l("Suspended"),
}
