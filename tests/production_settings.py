"""A complete, valid set of production settings for the tests that check one of them at a time."""

PRODUCTION_SETTINGS = {
    "APP_ENV": "production", "SECRET_KEY": "kJ3v9Qx2Lr7TzW0aYp5NcB8mHs4DfG6eUi1oRt_XyZ-q",
    "PUBLIC_BASE_URL": "https://talent.example.cn",
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://talent:secret@db.internal:5432/talent",
    "REDIS_URL": "redis://127.0.0.1:6379/0", "JOB_QUEUE_URL": "redis://127.0.0.1:6379/0",
    "CALENDAR_CACHE_URL": "redis://127.0.0.1:6379/0", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "SMTP_HOST": "smtp.example.cn", "MAIL_FROM": "Talent Events <noreply@talent.example.cn>",
    "WEBHOOK_SECRET_KEY": "Wq8vN2xR5tY7uI0oP3aS6dF9gH1jK4lZ",
}
