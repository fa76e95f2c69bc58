"""Rotating WEBHOOK_SECRET_KEY: former keys (WEBHOOK_OLD_SECRET_KEYS) still read the secrets sealed with them,
`flask webhooks rotate-key` re-seals every secret with the current key, and production checks the old keys."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsapp.config import ConfigurationError, check_production_settings
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.webhooks import delivery, emit, problems, signing, vault
from eventsapp.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.production_settings import PRODUCTION_SETTINGS
from tests.readme import readme_function
from tests.webhook_receiver import start_receiver

KEY_A = "the first key and long enough 4f9d2a71c3e8b605"
KEY_B = "the second key and long enough 9b1e7c04d2a6f853"
LOST = "a key nobody configured any more: 0c7a5e93"


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    server.close()


@pytest.fixture
def key(app, monkeypatch):
    """Configure WEBHOOK_SECRET_KEY (and WEBHOOK_OLD_SECRET_KEYS) as a deployment would."""
    def configure(current: str, old: str = "") -> None:
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET_KEY", current)
        monkeypatch.setitem(app.config, "WEBHOOK_OLD_SECRET_KEYS", old)
    return configure


def endpoint(owner, url="https://hooks.example.com/in") -> WebhookEndpoint:
    row = WebhookEndpoint(created_by_id=owner.id, url=url, event_types="registration.created",
                          secret=signing.new_secret(), consecutive_failures=0, disabled_reason="")
    db.session.add(row)
    db.session.commit()
    return row


def stored(hook: WebhookEndpoint) -> str:
    return db.session.execute(select(WebhookEndpoint.__table__.c.secret)
                              .where(WebhookEndpoint.__table__.c.id == hook.id)).scalar_one()


def test_an_old_key_still_reads_and_the_worker_signs_with_the_right_secret(ctx, key, make_organizer, receiver):
    verify = readme_function("verify_talentday_signature")
    key(KEY_A)
    hook = endpoint(make_organizer(), url=receiver.url)
    clear = hook.secret
    key(KEY_B, old=f"{KEY_A}")
    assert vault.unseal(stored(hook)) == clear
    new = endpoint(make_organizer())
    assert vault.unseal(stored(new), key=KEY_B)  # sealed with the current key, not an old one
    with pytest.raises(vault.SecretUnreadable):
        vault.unseal(stored(new), key=KEY_A)

    emit.queue_ping(hook)
    db.session.commit()
    assert delivery.deliver_due().sent == 1
    [message] = receiver.received
    assert verify(clear, message.headers["X-Talentday-Signature"], message.body)


def test_rotating_reseals_every_secret_with_the_current_key_and_counts_the_unreadable(
        app, ctx, runner, key, make_organizer):
    key(KEY_A)
    hooks = [endpoint(make_organizer()) for _ in range(3)]
    clear = {hook.id: hook.secret for hook in hooks}
    lost = endpoint(make_organizer())
    lost.secret_sealed = vault.seal("whsec_lost", key=LOST)
    db.session.commit()
    key(KEY_B, old=f" {KEY_A} ,")  # blanks and an empty item tolerated outside production
    before = {hook.id: stored(hook) for hook in hooks}

    result = runner.invoke(args=["webhooks", "rotate-key", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "3 secrets re-sealed with the current key, 0 already sealed with it, 1 unreadable" in result.output
    assert f"endpoint ids {lost.id})" in result.output
    db.session.expire_all()
    key(KEY_B)  # the old key removed
    for hook in hooks:
        assert stored(hook) != before[hook.id]
        assert vault.unseal(stored(hook)) == clear[hook.id] == db.session.get(WebhookEndpoint, hook.id).secret

    resealed = {hook.id: stored(hook) for hook in hooks}
    again = runner.invoke(args=["webhooks", "rotate-key"])
    assert "0 secrets re-sealed with the current key, 3 already sealed with it, 1 unreadable" in again.output
    db.session.expire_all()
    assert {hook.id: stored(hook) for hook in hooks} == resealed  # run again, it changes nothing


def test_a_secret_no_key_reads_still_disables_its_endpoint(ctx, key, make_organizer, receiver):
    key(KEY_A)
    hook = endpoint(make_organizer(), url=receiver.url)
    key(KEY_B, old=LOST)
    emit.queue_ping(hook)
    db.session.commit()
    delivery.deliver_due()
    assert receiver.received == []
    db.session.expire_all()
    assert (hook.is_enabled, hook.disabled_reason) == (False, problems.SECRET_UNREADABLE)


def test_rotating_with_the_lost_key_found_again_switches_its_endpoint_back_on(
        ctx, runner, key, make_organizer, receiver):
    """The worker ran with the new key before the old one was listed, and disabled the endpoint: once the old
    key is listed and the secrets re-sealed, the endpoint is on again and its waiting delivery goes."""
    key(KEY_A)
    hook = endpoint(make_organizer(), url=receiver.url)
    emit.queue_ping(hook)
    db.session.commit()
    key(KEY_B)
    delivery.deliver_due()
    db.session.expire_all()
    assert (hook.is_enabled, hook.disabled_reason) == (False, problems.SECRET_UNREADABLE)
    now = utcnow()  # a change's delivery (not a ping, which goes even to a disabled endpoint): it waits
    uid = emit.new_uid()
    db.session.add(WebhookDelivery(endpoint_id=hook.id, uid=uid, event_type="registration.created",
                                   body=emit.envelope(uid, "registration.created", {}, now),
                                   status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="",
                                   created_at=now))
    db.session.commit()
    assert delivery.deliver_due().sent == 0

    key(KEY_B, old=KEY_A)
    result = runner.invoke(args=["webhooks", "rotate-key"])
    assert "1 secrets re-sealed" in result.output and "1 endpoints disabled because" in result.output
    db.session.expire_all()
    assert (hook.is_enabled, hook.disabled_reason) == (True, "")
    key(KEY_B)
    assert delivery.deliver_due().sent == 1
    assert [message.headers["X-Talentday-Delivery"] for message in receiver.received] == [uid]


def test_a_secret_replaced_while_rotating_is_sealed_with_the_current_key_too(ctx, key, make_organizer, monkeypatch):
    """Another process still on the old settings replaces a secret between the read and the write: the write
    finds it changed, reads it again and seals it with the current key."""
    from eventsapp.webhooks import services
    key(KEY_A)
    hook = endpoint(make_organizer())
    key(KEY_B, old=KEY_A)
    replaced_by_the_old_version = vault.seal("whsec_replaced", key=KEY_A)
    real_reseal, calls = services.reseal, []

    def reseal_while_someone_replaces_it(sealed: str):
        calls.append(sealed)
        if len(calls) == 1:
            db.session.execute(WebhookEndpoint.__table__.update().where(WebhookEndpoint.__table__.c.id == hook.id)
                               .values(secret=replaced_by_the_old_version))
        return real_reseal(sealed)

    monkeypatch.setattr(services, "reseal", reseal_while_someone_replaces_it)
    outcome = services.reseal_secrets()
    assert (outcome.resealed, len(calls)) == (1, 2)
    key(KEY_B)
    assert vault.unseal(stored(hook)) == "whsec_replaced"


PRODUCTION = PRODUCTION_SETTINGS


@pytest.mark.parametrize("old", ["", KEY_A, f"{KEY_A}, {KEY_B}"])
def test_production_accepts_no_old_keys_or_whole_ones(old):
    check_production_settings({**PRODUCTION, "WEBHOOK_OLD_SECRET_KEYS": old})


@pytest.mark.parametrize("old", ["short", f"{KEY_A},", f"{KEY_A},,{KEY_B}", f"{KEY_A}, short"])
def test_production_refuses_an_empty_or_short_old_key(old):
    with pytest.raises(ConfigurationError, match="WEBHOOK_OLD_SECRET_KEYS"):
        check_production_settings({**PRODUCTION, "WEBHOOK_OLD_SECRET_KEYS": old})
