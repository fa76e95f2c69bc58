"""Moved to tests/factories.py; kept as an alias for branches written before the move."""
from tests.factories import credit_code, image_bytes, organization_data, png_claiming  # noqa: F401
