import pytest
from django.utils import timezone

from rankfile.core.errors import NotFound, RateLimited, Refusal
from rankfile.discussion.models import (
    ApprovedCommenter,
    BlockedTerm,
    BodyDiscussionSettings,
    Comment,
    CommentPolicy,
    ModerationLog,
)
from rankfile.discussion.services.comments import comment_post
from rankfile.discussion.services.moderation import comment_moderate

from .conftest import publish

S = Comment.Status


def post(article, text="A comment.", name="Val Visitor", **kwargs):
    return comment_post(article=article, text=text, name=name, **kwargs)


def test_it_numbers_comments_and_threads_replies(article):
    first = post(article)
    second = post(article, "Second")
    reply = post(article, "Reply", parent_number=1)
    deeper = post(article, "Deeper", parent_number=reply.number)

    assert [1, 2, 3, 4] == [first.number, second.number, reply.number, deeper.number]
    assert (1, 2, 1) == (deeper.thread, deeper.depth, deeper.parent_number == 3 and 1)
    assert ["0000001", "0000001.0000003", "0000001.0000003.0000004", "0000002"] == list(
        Comment.objects.filter(article=article).values_list("path", flat=True))


def test_it_posts_a_member_under_their_own_name_without_email(article, member):
    comment = comment_post(article=article, text="Hello", user=member, name="Someone Else",
                           email="x@example.org")

    assert ("Mo Member", "", member) == (comment.name, comment.email, comment.author)


def test_it_keeps_a_visitor_email_and_only_a_hash_of_their_secret(article):
    comment = post(article, email="Val@Example.org", secret="s3cret-token")

    assert "val@example.org" == comment.email
    assert 64 == len(comment.secret_hash)
    assert "s3cret-token" not in comment.secret_hash


@pytest.mark.parametrize("text,name,field,message", [
    ("", "Val", "text", "Please enter your comment"),
    ("   \n ", "Val", "text", "Please enter your comment"),
    ("Hi", "", "name", "Please enter your name"),
    ("Hi", "  ", "name", "Please enter your name"),
    ("x" * 5001, "Val", "text", "Your comment is too long: keep it under 5,000 characters "
                                "(it has 5,001)."),
    ("Hi", "n" * 81, "name", "Your name is too long: keep it under 80 characters."),
])
def test_it_refuses_empty_or_over_long_fields_and_changes_nothing(article, text, name, field,
                                                                   message):
    with pytest.raises(Refusal) as e:
        post(article, text, name)

    assert (field, message) == (e.value.field, e.value.message)
    assert 0 == Comment.objects.count()


def test_it_refuses_a_reply_to_a_comment_on_another_article(area, author, moderator, article):
    other = publish(author, moderator, area.branch, title="Another article")
    post(other, "One")
    post(other, "Two")
    foreign = post(other, "Three")

    with pytest.raises(Refusal) as e:
        post(article, "Reply", parent_number=foreign.number)

    assert ("bad_parent", "parent") == (e.value.code, e.value.field)
    assert 0 == Comment.objects.filter(article=article).count()


def test_it_refuses_a_reply_to_a_removed_comment(article, moderator):
    removed = post(article)
    comment_moderate(comment=removed, moderator=moderator, action="hide", reason="Abuse")

    with pytest.raises(Refusal) as e:
        post(article, "Reply", parent_number=removed.number)

    assert "You cannot reply to a comment removed by moderators." == e.value.message


def test_it_refuses_the_honeypot_and_logs_it(article, rf):
    with pytest.raises(Refusal) as e:
        post(article, honeypot="http://spam.example", request=rf.post("/"))

    assert "honeypot" == e.value.code
    assert 0 == Comment.objects.count()
    assert [("refuse", "honeypot", "127.0.0.1")] == list(
        ModerationLog.objects.filter(action="refuse").values_list("action", "code", "ip"))


def test_it_refuses_more_than_two_links(article):
    with pytest.raises(Refusal) as e:
        post(article, "https://a.example https://b.example www.c.example")

    assert "too_many_links" == e.value.code
    assert 1 == ModerationLog.objects.filter(code="too_many_links").count()


@pytest.mark.parametrize("kind,value,kwargs", [
    (BlockedTerm.Kind.WORD, "scumbag", {"text": "You SCUMBAG."}),
    (BlockedTerm.Kind.WORD, "scumbag", {"name": "Scumbag Sam"}),
    (BlockedTerm.Kind.EMAIL, "@spam.example", {"email": "bot@spam.example"}),
    (BlockedTerm.Kind.EMAIL, "troll@example.org", {"email": "Troll@example.org"}),
    (BlockedTerm.Kind.IP, "10.9.8.7", {"ip": "10.9.8.7"}),
])
def test_it_refuses_blocked_words_and_addresses_and_logs_them(article, kind, value, kwargs):
    BlockedTerm.objects.create(kind=kind, value=value)

    with pytest.raises(Refusal) as e:
        post(article, **kwargs)

    assert "blocked" == e.value.code
    assert 0 == Comment.objects.count()
    assert 1 == ModerationLog.objects.filter(code="blocked").count()


def test_it_does_not_block_a_word_inside_another(article):
    BlockedTerm.objects.create(kind=BlockedTerm.Kind.WORD, value="ass")

    assert S.VISIBLE == post(article, "A mass meeting in the assembly hall.").status


def test_it_limits_a_flood_from_one_address_with_a_clear_message(article, rf):
    for i in range(5):
        post(article, f"Comment {i}", request=rf.post("/", REMOTE_ADDR="192.0.2.1"))

    with pytest.raises(RateLimited) as e:
        post(article, "One too many", request=rf.post("/", REMOTE_ADDR="192.0.2.1"))

    assert ("You have sent too many comments in a short time. Please wait 1 minute and try "
            "again.") == e.value.message
    assert 5 == Comment.objects.count()
    assert 1 == ModerationLog.objects.filter(code="rate_limited", ip="192.0.2.1").count()
    assert post(article, "Elsewhere", request=rf.post("/", REMOTE_ADDR="192.0.2.2")).pk


def test_it_limits_a_flood_from_one_account_across_addresses(article, member, rf):
    for i in range(5):
        comment_post(article=article, text=f"C{i}", user=member,
                     request=rf.post("/", REMOTE_ADDR=f"192.0.2.{i + 10}"))

    with pytest.raises(RateLimited):
        comment_post(article=article, text="Again", user=member,
                     request=rf.post("/", REMOTE_ADDR="192.0.2.99"))


def test_it_holds_visitors_under_premoderation_whatever_address_they_type(article, moderator):
    # A typed address proves nothing: anyone could type an approved commenter's.
    article.comment_policy = CommentPolicy.PREMODERATED
    article.save()
    first = post(article, email="val@example.org")
    comment_moderate(comment=first, moderator=moderator, action="approve", reason="Fine")

    later = post(article, "Again", email="VAL@example.org")
    stranger = post(article, "Hi", name="Stranger")

    assert (S.PENDING, S.PENDING, S.PENDING) == (
        first.status, later.status, stranger.status)
    assert not ApprovedCommenter.objects.exists()


def test_an_approved_address_counts_only_for_a_login_that_verified_it(article, member, staff):
    from rankfile.accounts.services import email_address_confirm

    article.comment_policy = CommentPolicy.PREMODERATED
    article.save()
    ApprovedCommenter.objects.create(email=member.email, approved_at=timezone.now(),
                                     approved_by=staff)

    unverified = comment_post(article=article, text="Before", user=member)
    email_address_confirm(user=member)
    verified = comment_post(article=article, text="After", user=member)

    assert (S.PENDING, S.VISIBLE) == (unverified.status, verified.status)


def test_it_takes_the_policy_from_the_body_above(area, article):
    BodyDiscussionSettings.objects.create(body=area.constituency,
                                          comment_policy=CommentPolicy.CLOSED)

    with pytest.raises(Refusal) as e:
        post(article)

    assert "Comments are closed on this article." == e.value.message


def test_it_lets_only_members_comment_when_members_only(article, member):
    article.comment_policy = CommentPolicy.MEMBERS
    article.save()

    with pytest.raises(Refusal) as e:
        post(article)

    assert "comments_not_open" == e.value.code
    assert S.VISIBLE == comment_post(article=article, text="Hi", user=member).status


def test_it_refuses_comments_on_an_unpublished_article(area, author):
    from rankfile.discussion.services.articles import article_create

    draft = article_create(by=author, body=area.branch, title="T", standfirst="S", markdown="M")

    with pytest.raises(NotFound):
        post(draft)


@pytest.mark.django_db(transaction=True)
def test_it_numbers_concurrent_comments_without_gaps_or_repeats(area, author, moderator):
    """Eight threads post at once; every comment gets its own number, 1 to 8."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions (PostgreSQL)")
    article = publish(author, moderator, area.branch)
    start = threading.Barrier(8)

    def worker(i):
        try:
            start.wait()
            post(article, f"Comment {i}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert list(range(1, 9)) == sorted(Comment.objects.values_list("number", flat=True))
