"""The Atom feed of public articles (members-only and body-only articles never appear)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.utils.feedgenerator import Atom1Feed

from rankfile.discussion.models import Article

FEED_ITEMS = 30


class PublicArticlesFeed(Feed):
    feed_type = Atom1Feed
    link = "/articles/"
    subtitle = "Articles and debate"

    def title(self) -> str:
        return f"{settings.ORGANISATION_NAME}: articles"

    def items(self) -> QuerySet[Article]:
        return (
            Article.objects.filter(state=Article.State.PUBLISHED,
                                   visibility=Article.Visibility.PUBLIC)
            .prefetch_related("authors", "tags")
            .order_by("-published_at")[:FEED_ITEMS]
        )

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.standfirst

    def item_pubdate(self, item: Article) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(a.name for a in item.authors.all())

    def item_categories(self, item: Article) -> list[str]:
        return [t.name for t in item.tags.all()]
