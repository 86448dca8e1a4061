"""Writing, reviewing and publishing articles.

Authors (the ``author`` role in the article's body or above) write drafts and
submit them for review; moderators and staff of the body publish them, change
them and delete them. Every change after creation is in the moderation log.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from rankfile.accounts.models import User
from rankfile.branches.models import Body
from rankfile.core.errors import PermissionRefused, Refusal, full_clean_or_refuse
from rankfile.core.text import refuse_bidi_controls
from rankfile.discussion.access import (
    can_delete_article,
    can_edit_article,
    can_publish,
    can_write,
    current_membership,
)
from rankfile.discussion.markdown import render_article
from rankfile.discussion.models import Article, ArticleAuthor, CommentPolicy, Tag
from rankfile.discussion.services.moderation import Action, log

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Extension -> (content type, how the file starts). The upload's own claimed type is not trusted.
IMAGE_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
}

State = Article.State


@dataclass(frozen=True)
class AuthorSpec:
    """A named author: ``name``, their branch or constituency, and their account if any."""

    name: str
    affiliation: Body | None = None
    user: User | None = None


def check_image(image: UploadedFile) -> str:
    """The image's content type, from its extension and its first bytes.

    Raises:
        Refusal: not a JPEG, PNG, GIF or WebP image, or larger than 5 MB.
    """
    ext = Path(image.name or "").suffix.lower()
    if ext not in IMAGE_TYPES:
        raise Refusal("Upload a JPEG, PNG, GIF or WebP image.", code="bad_image", field="image")
    if image.size and image.size > MAX_IMAGE_BYTES:
        raise Refusal("The image is too large: keep it under 5 MB.", code="too_large",
                      field="image")
    content_type, signatures = IMAGE_TYPES[ext]
    image.seek(0)
    head = image.read(16)
    image.seek(0)
    if not any(head.startswith(s) for s in signatures) or (
            ext == ".webp" and head[8:12] != b"WEBP"):
        raise Refusal("This file is not the image its name says it is.", code="bad_image",
                      field="image")
    return content_type


def _required(value: str, label: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Refusal(f"Please enter the {label}", code="required", field=field)
    if len(value) > limit:
        raise Refusal(f"The {label} is too long: keep it under {limit:,} characters.",
                      code="too_long", field=field)
    return value


def _unique_slug(title: str, *, exclude: int | None = None) -> str:
    base = slugify(title)[:100].strip("-") or "article"
    slug, n = base, 1
    others = Article.objects.exclude(pk=exclude) if exclude is not None else Article.objects.all()
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _tags(names: list[str] | tuple[str, ...]) -> list[Tag]:
    found = []
    for raw in names:
        name = " ".join(raw.split())[:60]
        slug = slugify(name)[:60]
        if not slug:
            continue
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        found.append(tag)
    return found


def _apply(article: Article, *, title: str, standfirst: str, markdown: str,
           visibility: str, comment_policy: str, image: UploadedFile | None, image_alt: str,
           image_caption: str, image_credit: str, link_kind: str, link_url: str,
           link_label: str) -> None:
    article.title = _required(title, "title", "title", 200)
    article.standfirst = _required(standfirst, "standfirst", "standfirst", 400)
    article.markdown = _required(markdown, "text of the article", "markdown", 100_000)
    if visibility not in Article.Visibility.values:
        raise Refusal("Choose who may read the article.", code="required", field="visibility")
    if comment_policy and comment_policy not in CommentPolicy.values:
        raise Refusal("Choose how comments are moderated.", code="invalid",
                      field="comment_policy")
    if visibility == Article.Visibility.BODY and article.body.kind not in (
            Body.Kind.BRANCH, Body.Kind.CONSTITUENCY):
        raise Refusal("Only a branch's or a constituency's article can be for its members only.",
                      code="invalid", field="visibility")
    article.visibility, article.comment_policy = visibility, comment_policy or ""
    if image is not None:
        article.image_content_type = check_image(image)
        article.image = image
    article.image_alt = (image_alt or "").strip()[:300]
    if article.image and not article.image_alt:
        raise Refusal("Describe the image for people who cannot see it (alt text).",
                      code="required", field="image_alt")
    article.image_caption = (image_caption or "").strip()[:300]
    article.image_credit = (image_credit or "").strip()[:200]
    if link_kind and link_kind not in Article.LinkKind.values:
        raise Refusal("Choose a meeting or an election.", code="invalid", field="link_kind")
    if bool(link_kind) != bool(link_url):
        raise Refusal("Give both the kind and the address of the linked meeting or election.",
                      code="required", field="link_url")
    if link_url:
        link_url = link_url.strip()
        try:
            URLValidator(schemes=["http", "https"])(link_url)
        except ValidationError:
            raise Refusal("Give the full address of the meeting or election page, starting "
                          "with https:// (for a page on this site too).", code="invalid",
                          field="link_url") from None
    article.link_kind, article.link_url = link_kind or "", link_url or ""
    article.link_label = (link_label or "").strip()[:200]
    article.html = render_article(article.markdown)


def _default_authors(user: User) -> list[AuthorSpec]:
    from rankfile.discussion.services.comments import display_name

    membership = current_membership(user)
    where = membership and (membership.branch or membership.constituency)
    return [AuthorSpec(name=display_name(user), affiliation=where or None, user=user)]


def _check_authors(authors: list[AuthorSpec] | None) -> None:
    for spec in authors or ():
        name = " ".join(spec.name.split())
        if len(name) > 120:
            raise Refusal("An author's name is too long: keep it under 120 characters.",
                          code="too_long", field="authors")
        refuse_bidi_controls(name, field="authors", label="author's name")


def _set_authors(article: Article, authors: list[AuthorSpec]) -> None:
    _check_authors(authors)
    article.authors.all().delete()
    for i, spec in enumerate(authors):
        name = " ".join(spec.name.split())
        if not name:
            continue
        ArticleAuthor.objects.create(article=article, position=i, name=name,
                                     affiliation=spec.affiliation, user=spec.user)


def article_create(*, by: User, body: Body, title: str, standfirst: str, markdown: str,
                   tags: list[str] | tuple[str, ...] = (), authors: list[AuthorSpec] | None = None,
                   visibility: str = Article.Visibility.PUBLIC, comment_policy: str = "",
                   image: UploadedFile | None = None, image_alt: str = "",
                   image_caption: str = "", image_credit: str = "", link_kind: str = "",
                   link_url: str = "", link_label: str = "",
                   now: dt.datetime | None = None) -> Article:
    """Write a draft article in ``body``; ``by`` becomes its first author unless
    ``authors`` names them.

    Raises:
        PermissionRefused: ``by`` holds no author role in ``body`` or above.
        Refusal: a missing or over-long field, an image that is not one or has no alt text.
    """
    if not can_write(by, body):
        raise PermissionRefused("Only members with an author role in this branch or "
                                "constituency can write its articles.")
    now = now or timezone.now()
    article = Article(body=body, created_by=by, created_at=now, updated_at=now)
    _apply(article, title=title, standfirst=standfirst, markdown=markdown,
           visibility=visibility, comment_policy=comment_policy, image=image,
           image_alt=image_alt, image_caption=image_caption, image_credit=image_credit,
           link_kind=link_kind, link_url=link_url, link_label=link_label)
    _check_authors(authors)
    with transaction.atomic():
        article.slug = _unique_slug(article.title)
        full_clean_or_refuse(article, exclude=["image"])
        article.save()
        article.tags.set(_tags(tags))
        _set_authors(article, authors if authors else _default_authors(by))
    return article


def article_update(*, article: Article, by: User, title: str, standfirst: str,
                   markdown: str, tags: list[str] | tuple[str, ...] = (),
                   authors: list[AuthorSpec] | None = None,
                   visibility: str = Article.Visibility.PUBLIC, comment_policy: str = "",
                   image: UploadedFile | None = None, image_alt: str = "",
                   image_caption: str = "", image_credit: str = "", link_kind: str = "",
                   link_url: str = "", link_label: str = "",
                   now: dt.datetime | None = None) -> Article:
    """Change an article. Its slug (its address) never changes once made.

    Raises:
        PermissionRefused: not one of its authors while unpublished, nor a moderator.
        Refusal: as ``article_create``.
    """
    if not can_edit_article(by, article):
        raise PermissionRefused("Only its authors (before publication) and the moderators "
                                "of its branch or constituency can change this article.")
    _apply(article, title=title, standfirst=standfirst, markdown=markdown,
           visibility=visibility, comment_policy=comment_policy, image=image,
           image_alt=image_alt, image_caption=image_caption, image_credit=image_credit,
           link_kind=link_kind, link_url=link_url, link_label=link_label)
    article.updated_at = now or timezone.now()
    _check_authors(authors)
    with transaction.atomic():
        full_clean_or_refuse(article, exclude=["image"])
        article.save()
        article.tags.set(_tags(tags))
        if authors is not None:
            _set_authors(article, authors)
        log(Action.EDIT, actor=by, article=article)
    return article


def article_check(*, article: Article, title: str, standfirst: str, markdown: str,
                  visibility: str = Article.Visibility.PUBLIC, comment_policy: str = "",
                  image_alt: str = "", image_caption: str = "", image_credit: str = "",
                  link_kind: str = "", link_url: str = "", link_label: str = "") -> None:
    """Check new values for ``article`` as ``article_update`` would, changing nothing
    (for forms that show every refusal before saving, such as the admin's).

    Raises:
        Refusal: as ``article_update``, with ``field`` naming the field at fault.
    """
    _apply(copy.copy(article), title=title, standfirst=standfirst, markdown=markdown,
           visibility=visibility, comment_policy=comment_policy, image=None,
           image_alt=image_alt, image_caption=image_caption, image_credit=image_credit,
           link_kind=link_kind, link_url=link_url, link_label=link_label)


def article_delete(*, article: Article, by: User, reason: str = "") -> None:
    """Delete an article and its comments for good (withdrawing it keeps them:
    ``article_unpublish``). The moderation log keeps its title.

    Raises:
        PermissionRefused: ``by`` may not publish in the article's body.
    """
    if not can_delete_article(by, article):
        raise PermissionRefused("Only the moderators of this branch or constituency can "
                                "delete its articles.")
    reason = " ".join((reason or "").split())[:400]
    with transaction.atomic():
        log(Action.DELETE, actor=by, article=article,
            reason=f"Deleted “{article.title}” ({article.slug})" + (f": {reason}" if reason
                                                                     else ""))
        article.delete()


def article_submit(*, article: Article, by: User, now: dt.datetime | None = None) -> Article:
    """Send a draft to the moderators for review.

    Raises:
        PermissionRefused: not one of its authors.
        Refusal: not a draft.
    """
    if not can_edit_article(by, article):
        raise PermissionRefused("Only its authors can submit this article.")
    if article.state != State.DRAFT:
        raise Refusal("Only a draft can be submitted for review.", code="not_draft")
    article.state, article.submitted_at = State.IN_REVIEW, now or timezone.now()
    with transaction.atomic():
        article.save(update_fields=("state", "submitted_at"))
        log(Action.SUBMIT, actor=by, article=article)
    return article


def article_publish(*, article: Article, by: User, now: dt.datetime | None = None) -> Article:
    """Publish an article: a moderator or staff of its body or above.

    Raises:
        PermissionRefused: ``by`` may not publish in this body.
        Refusal: already published.
    """
    if not can_publish(by, article.body):
        raise PermissionRefused("Only the moderators of this branch or constituency can "
                                "publish its articles.")
    if article.is_published:
        raise Refusal("This article is already published.", code="published")
    now = now or timezone.now()
    article.state, article.published_by = State.PUBLISHED, by
    article.published_at = article.published_at or now
    with transaction.atomic():
        article.save(update_fields=("state", "published_at", "published_by"))
        log(Action.PUBLISH, actor=by, article=article)
    return article


def article_unpublish(*, article: Article, by: User, reason: str) -> Article:
    """Take a published article back to draft; its comments are kept.

    Raises:
        PermissionRefused: ``by`` may not publish in this body.
        Refusal: no reason, or not published.
    """
    if not can_publish(by, article.body):
        raise PermissionRefused("Only the moderators of this branch or constituency can "
                                "withdraw its articles.")
    reason = _required(reason, "reason", "reason", 500)
    if not article.is_published:
        raise Refusal("This article is not published.", code="not_published")
    article.state = State.DRAFT
    with transaction.atomic():
        article.save(update_fields=("state",))
        log(Action.UNPUBLISH, actor=by, article=article, reason=reason)
    return article
