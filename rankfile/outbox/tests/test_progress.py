from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.selectors import outbox_problem_list
from rankfile.outbox.services import (
    Draft,
    outbox_enqueue_many,
    outbox_progress,
    outbox_record_bounce,
    outbox_render,
    outbox_send,
)

S = OutboxMessage.Status


def test_it_counts_a_purposes_messages_by_how_far_they_went(db, server):
    outbox_enqueue_many(Draft(to=a, subject="Ballot", body="x", purpose="ballot",
                              key=f"ballot:{a}")
                        for a in ("a@example.org", "refused@example.org", "c@example.org",
                                  "d@example.org"))
    outbox_enqueue_many([Draft(to="e@example.org", subject="Hi", body="x", purpose="other",
                               key="other:e")])
    a, _refused, c, _d = OutboxMessage.objects.filter(purpose="ballot").order_by("pk")
    outbox_send(ids=[a.pk, _refused.pk, c.pk])
    outbox_record_bounce(message_id=c.message_id.strip("<>"), reason="550 mailbox full")

    progress = outbox_progress(purpose="ballot")

    assert (1, 1, 1, 1, 4) == (progress.queued, progress.sent, progress.failed,
                               progress.bounced, progress.total)


def test_staff_see_the_bounced_and_failed_messages_newest_first(db, server):
    outbox_enqueue_many(Draft(to=a, subject="Ballot", body="x", purpose="ballot",
                              key=f"ballot:{a}")
                        for a in ("a@example.org", "refused@example.org"))
    a, refused = OutboxMessage.objects.order_by("pk")
    outbox_send(ids=[a.pk, refused.pk])
    bounced = outbox_record_bounce(message_id=a.message_id, reason="550 no such user")

    assert [refused, a] == list(outbox_problem_list(purpose="ballot"))
    assert [] == list(outbox_problem_list(purpose="other"))
    assert bounced is not None and S.BOUNCED == bounced.status
    assert outbox_record_bounce(message_id="<unknown@example.org>", reason="x") is None


def test_it_renders_a_template_into_subject_and_body(db):
    rendered = outbox_render(template="emails/join_known_address.txt",
                             context={"as_a": "a member", "login_link": "L",
                                      "reset_link": "R"},
                             subject="someone tried to join")

    assert "Rank & File: someone tried to join" == rendered.subject
    assert "a member" in rendered.body
    assert rendered.html_body is None
