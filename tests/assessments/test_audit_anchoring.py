"""The audit trail is signed with a key outside the database and anchored by published heads.

Each tampering below verified as intact when the trail was only hash-chained: someone with
write access to the database can recompute SHA-256 hashes, but not HMACs, and cannot reach
the heads published outside it.
"""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.audit import (
    AuditHeadError,
    audit_head_publish,
    audit_heads_read,
    audit_record,
    audit_verify_chain,
    event_hash,
    event_mac,
)
from assessments.models import AuditEvent
from assessments.scheduling import scheduled_jobs_run
from tests.conftest import audit_tampering

KEY_2025 = b"k" * 32
KEY_2026 = b"n" * 32


@pytest.fixture
def heads_file(settings, tmp_path):
    settings.AUDIT_HEAD_FILE = str(tmp_path / "audit-heads.jsonl")
    return tmp_path / "audit-heads.jsonl"


def record(count: int) -> list[AuditEvent]:
    return [
        audit_record(actor=None, action="test.step", summary=f"Step {number}")
        for number in range(1, count + 1)
    ]


def forge_after(last: AuditEvent, *, at=None, mac="", key_id="") -> AuditEvent:
    """An event added straight to the table with a correct SHA-256 link and hash."""
    forged = AuditEvent(
        at=at or timezone.now(),
        actor_name="approver",
        action="request.decided",
        object_type="assessments.partnershiprequest",
        object_id="1",
        summary="Approved PR-2026-0001",
        changes={"status": ["recommended", "approved"]},
        previous_hash=last.hash,
    )
    forged.hash = event_hash(forged)
    forged.mac, forged.key_id = mac, key_id
    forged.save(force_insert=True)
    return forged


def verify(*args) -> str:
    """verify_audit_log's one line: what it printed, or the error it stopped with."""
    try:
        call_command("verify_audit_log", *args)
    except CommandError as exc:
        return f"error: {exc}"
    return "ok"


def test_every_event_is_signed_with_the_current_key(db, settings):
    event = record(1)[0]
    assert event.key_id == settings.AUDIT_HMAC_KEY_ID
    key = settings.AUDIT_HMAC_KEYS[event.key_id]
    assert event.mac == event_mac(key, event.key_id, event.hash)
    assert audit_verify_chain().signed == 1


def test_a_forged_event_with_a_recomputed_hash_is_caught_by_its_hmac(db, capsys):
    last = record(3)[-1]
    forged = forge_after(last, mac="0" * 64, key_id=last.key_id)
    # The hash chain alone says nothing is wrong: that is what the key is for.
    assert audit_verify_chain(check_macs=False).ok
    report = audit_verify_chain()
    assert report.broken_event_id == forged.pk
    assert "HMAC" in report.problem and "does not match" in report.problem
    assert verify().startswith(f"error: audit log broken at event {forged.pk}: its HMAC")


def test_a_forged_event_without_an_hmac_after_signed_ones_is_caught_even_without_the_key(db):
    forged = forge_after(record(2)[-1])
    report = audit_verify_chain(check_macs=False)
    assert report.broken_event_id == forged.pk
    assert "carries no HMAC" in report.problem


def test_a_rewritten_middle_event_rechained_after_it_is_caught(db, heads_file):
    events = record(5)
    audit_head_publish()
    # Rewrite the third event and every hash after it, as someone with the database could.
    with audit_tampering():
        previous = events[1].hash
        for event in events[2:]:
            if event is events[2]:
                event.summary = "Nothing happened here"
            event.previous_hash = previous
            event.hash = event_hash(event)
            AuditEvent.objects.filter(pk=event.pk).update(
                summary=event.summary, previous_hash=event.previous_hash, hash=event.hash
            )
            previous = event.hash
    assert audit_verify_chain(check_macs=False).ok  # the chain itself is consistent again
    # With the key: the rewritten event's HMAC no longer matches.
    report = audit_verify_chain()
    assert report.broken_event_id == events[2].pk and "HMAC" in report.problem
    # Without the key: the head published before the rewrite is no longer in the trail.
    message = verify("--without-key", "--against", str(heads_file))
    assert message.startswith(f"error: audit log broken at event {events[4].pk}")
    assert "audit-heads.jsonl line 1 says event number 5 had the hash" in message
    assert "the trail was rewritten" in message


def test_deleting_the_newest_events_is_caught_by_the_published_head(db, heads_file, capsys):
    events = record(8)
    audit_head_publish()
    assert verify("--without-key", "--against", str(heads_file)) == "ok"
    assert "1 of 1 published heads matched" in capsys.readouterr().out
    for newest in (1, 5):
        with audit_tampering():
            AuditEvent.objects.filter(pk__in=[e.pk for e in events[-newest:]]).delete()
        # The chain that is left is whole, and every event in it is correctly signed.
        assert audit_verify_chain().ok
        expected = f"the trail holds {8 - newest} events, but audit-heads.jsonl line 1 counted 8"
        # Someone without the key, with a copy of the published heads:
        assert expected in verify("--without-key", "--against", str(heads_file))
        # The operator, with the key and AUDIT_HEAD_FILE set:
        assert expected in verify()


def test_deleting_events_and_appending_as_many_forgeries_is_caught(db, heads_file):
    events = record(4)
    audit_head_publish()
    with audit_tampering():
        AuditEvent.objects.filter(pk=events[-1].pk).delete()
    forge_after(events[-2], mac="0" * 64, key_id=events[-2].key_id)
    message = verify("--without-key", "--against", str(heads_file))
    assert "line 1 says event number 4 had the hash" in message


def test_a_forged_event_back_dated_behind_a_published_head_is_caught_without_the_key(
    db, heads_file
):
    events = record(3)
    audit_head_publish()
    record(1)
    forged = forge_after(
        AuditEvent.objects.order_by("-id").first(),
        at=events[0].at - dt.timedelta(days=3),
        mac="0" * 64,
        key_id=events[0].key_id,
    )
    message = verify("--without-key", "--against", str(heads_file))
    assert message.startswith(f"error: audit log broken at event {forged.pk}")
    assert "added later and back-dated" in message


def test_removing_hmacs_is_caught(db, heads_file):
    events = record(3)
    audit_head_publish()
    with audit_tampering():
        AuditEvent.objects.filter(pk=events[-1].pk).update(mac="", key_id="")
    assert "carries no HMAC" in audit_verify_chain(check_macs=False).problem
    # Stripped from every event, the trail would pass for one recorded before keys existed;
    # the published head remembers that it had none unsigned.
    with audit_tampering():
        AuditEvent.objects.update(mac="", key_id="")
    assert audit_verify_chain().ok
    message = verify("--without-key", "--against", str(heads_file))
    assert "counted 0 events without an HMAC up to here, there are now 3" in message


def test_events_recorded_before_keys_verify_by_their_chain_and_come_first(db, capsys):
    legacy = record(2)
    with audit_tampering():  # as they were before the keyed migration
        AuditEvent.objects.update(mac="", key_id="")
    record(2)
    report = audit_verify_chain()
    assert report.ok and (report.unsigned, report.signed) == (2, 2)
    assert verify() == "ok"
    assert "4 events verified (2 signed, 2 from before keys" in capsys.readouterr().out
    # Rewriting a legacy event re-chains every later, signed one: their HMACs break.
    with audit_tampering():
        event = AuditEvent.objects.get(pk=legacy[1].pk)
        event.summary = "Rewritten"
        AuditEvent.objects.filter(pk=event.pk).update(summary="Rewritten", hash=event_hash(event))
    assert not audit_verify_chain(check_macs=False).ok


def test_keys_rotate_and_events_signed_with_a_retired_key_still_verify(db, settings):
    settings.AUDIT_HMAC_KEYS = {"2025": KEY_2025}
    settings.AUDIT_HMAC_KEY_ID = "2025"
    record(2)
    settings.AUDIT_HMAC_KEYS = {"2025": KEY_2025, "2026": KEY_2026}
    settings.AUDIT_HMAC_KEY_ID = "2026"
    record(2)
    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == [
        "2025",
        "2025",
        "2026",
        "2026",
    ]
    assert audit_verify_chain().ok
    # A key dropped from the settings can no longer vouch for its events.
    settings.AUDIT_HMAC_KEYS = {"2026": KEY_2026}
    report = audit_verify_chain()
    assert not report.ok and "the key '2025', which is not in AUDIT_HMAC_KEYS" in report.problem


def test_the_scheduler_appends_one_head_per_period(db, heads_file):
    record(2)
    now = timezone.now()
    results = scheduled_jobs_run(now=now, only=["publish_audit_head"])
    assert [(r.job, r.outcome) for r in results] == [("publish_audit_head", "done")]
    assert "of 2 events published to" in results[0].summary
    record(1)
    scheduled_jobs_run(now=now + dt.timedelta(minutes=15), only=["publish_audit_head"])
    lines = [json.loads(line) for line in heads_file.read_text().splitlines()]
    assert [line["count"] for line in lines] == [2, 3]
    assert lines[-1]["head"] == AuditEvent.objects.order_by("-id").first().hash
    assert lines[-1]["unsigned"] == 0
    assert dt.datetime.fromisoformat(lines[0]["published_at"]).tzinfo is not None
    assert [h.count for h in audit_heads_read(heads_file)] == [2, 3]


def test_the_head_is_logged_when_no_file_is_set(db, settings, caplog):
    settings.AUDIT_HEAD_FILE = ""
    record(1)
    with caplog.at_level("INFO", logger="assessments.audit"):
        head = audit_head_publish()
    assert head.count == 1
    assert f'"head": "{head.head}"' in caplog.text


def test_a_head_file_whose_count_went_down_is_refused(db, heads_file):
    record(3)
    audit_head_publish()
    lines = heads_file.read_text()
    first = json.loads(lines)
    heads_file.write_text(lines + json.dumps({**first, "count": 2}) + "\n")
    with pytest.raises(AuditHeadError, match="line 2 counts 2 events, fewer than the 3"):
        audit_heads_read(heads_file)
    assert "events were deleted between the two publications" in verify()


@pytest.mark.parametrize("content", ["not json\n", '{"count": 1}\n', '{"count": "x"}\n'])
def test_a_broken_head_file_stops_with_one_line(db, heads_file, content):
    heads_file.write_text(content)
    assert verify("--against", str(heads_file)) == (
        "error: audit log not verified: audit-heads.jsonl line 1 is not a published head"
    )


def test_a_missing_head_file_is_an_error_when_named(db, tmp_path):
    message = verify("--against", str(tmp_path / "absent.jsonl"))
    assert message.startswith("error: audit log not verified: cannot read the published heads")


def test_before_the_first_publication_the_chain_is_still_checked(db, heads_file, capsys):
    record(1)
    assert verify() == "ok"
    captured = capsys.readouterr()
    assert "no heads published yet" in captured.err
    assert "audit log intact: 1 events verified" in captured.out
