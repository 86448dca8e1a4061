import datetime as dt

import pytest
from django.utils import timezone

from rankfile.discussion.models import PATH_WIDTH, Comment
from rankfile.discussion.services.comments import comment_post


def seed_thread(article, count, *, member=None):
    """``count`` comments: a fifth top-level, the rest replies up to 5 deep."""
    now = timezone.now() - dt.timedelta(days=1)
    rows: list[Comment] = []
    for n in range(1, count + 1):
        if n % 5 == 1:
            parent = None
        else:
            parent = rows[n - 2]  # reply to the previous comment
        own = f"{n:0{PATH_WIDTH}d}"
        rows.append(Comment(
            article=article, number=n, parent=None, thread=parent.thread if parent else n,
            depth=parent.depth + 1 if parent else 0,
            path=f"{parent.path}.{own}" if parent else own, name=f"Reader {n}",
            author=member if n % 7 == 0 else None, text=f"Comment {n}",
            html=f"<p>Comment {n}</p>", created_at=now + dt.timedelta(seconds=n)))
    Comment.objects.bulk_create(rows)
    article.last_comment_number = count
    article.save(update_fields=["last_comment_number"])


@pytest.mark.parametrize("count", [50, 2000])
def test_it_renders_the_first_page_in_a_bounded_number_of_queries(
        client, article, member, count, django_assert_max_num_queries):
    seed_thread(article, count, member=member)

    with django_assert_max_num_queries(12):
        response = client.get(article.get_absolute_url())

    assert 200 == response.status_code
    assert min(count, 50) == len(response.context["page"].object_list)


def test_it_costs_the_same_queries_for_50_or_2000_comments(client, article, member,
                                                           django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seen = []
    for count in (50, 2000):
        Comment.objects.all().delete()
        seed_thread(article, count, member=member)
        with CaptureQueriesContext(connection) as ctx:
            client.get(article.get_absolute_url())
        seen.append(len(ctx.captured_queries))

    assert seen[0] == seen[1]


def test_it_pages_a_long_thread_and_links_a_reply_to_a_parent_on_an_earlier_page(client,
                                                                                 article):
    seed_thread(article, 250)

    page5 = client.get(article.get_absolute_url() + "?page=5").content.decode()

    assert "Page 5 of 5" in page5
    # #201 starts a thread; #202 replies to it on the same page, so the link stays on the page.
    assert 'In reply to <a href="#c201">#201</a>' in page5


def test_it_sends_a_comment_link_to_its_page(client, article):
    seed_thread(article, 250)

    response = client.get(f"{article.get_absolute_url()}comments/150/")

    assert f"{article.get_absolute_url()}?page=3#c150" == response["Location"]


def test_it_lets_a_reply_continue_a_thread_from_an_earlier_page(client, article):
    seed_thread(article, 52)
    comment_post(article=article, text="Late reply", name="Ann", parent_number=50)

    html = client.get(article.get_absolute_url() + "?page=2").content.decode()

    # Reading order puts #53 right after #50, the last comment of page 1.
    assert "Late reply" in html
    assert (f'In reply to <a href="{article.get_absolute_url()}comments/50/">#50</a>'
            in html)
