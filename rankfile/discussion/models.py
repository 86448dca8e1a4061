"""Discussion: articles, their threaded comments, and moderation.

Rules live in ``discussion/services``; these models only hold the facts.
Who may write, publish or moderate is decided by ``accounts.roles.has_role``
(``author`` and ``moderator`` roles in the article's body or above it).

Comments are stored flat and ordered by ``path``, a materialised path of
zero-padded comment numbers ("0000012.0000045"), so that one indexed query
returns a page of a thread in reading order, however deep or long it is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

PATH_WIDTH = 7  # digits per comment number in ``Comment.path``: up to 9,999,999 per article
MAX_DEPTH = 40  # replies to replies, 40 deep; ``path`` holds 8 characters per level


class CommentPolicy(models.TextChoices):
    OPEN = "open", "Open: comments appear at once"
    PREMODERATED = "premoderated", "Pre-moderated for commenters not yet approved"
    MEMBERS = "members", "Members only"
    CLOSED = "closed", "Closed"


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class BodyDiscussionSettings(models.Model):
    """How comments are moderated on the articles of ``body`` and the bodies below it.

    An article's own policy, when set, wins; otherwise the nearest body with
    settings decides; with none, comments are open.
    """

    body = models.OneToOneField(
        "branches.Body", on_delete=models.CASCADE, related_name="discussion_settings"
    )
    comment_policy = models.CharField(max_length=20, choices=CommentPolicy.choices)

    class Meta:
        verbose_name = "body discussion settings"
        verbose_name_plural = "body discussion settings"

    def __str__(self) -> str:
        return f"{self.body}: {self.get_comment_policy_display()}"


class Article(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Members only"
        BODY = "body", "Members of its branch or constituency"

    class LinkKind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        ELECTION = "election", "Election"

    # The body the article belongs to: its authors and moderators hold roles here
    # or above; with ``Visibility.BODY`` only this body's members may read it.
    body = models.ForeignKey("branches.Body", on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    standfirst = models.CharField(max_length=400)
    markdown = models.TextField("text (Markdown)", max_length=100_000)
    # ``markdown`` rendered and sanitised (discussion.markdown) when saved by a service.
    html = models.TextField(editable=False, blank=True)

    # Served by discussion.views.article_image (checked for type and visibility).
    image = models.FileField(upload_to="articles/%Y/", blank=True)
    image_content_type = models.CharField(max_length=30, blank=True, editable=False)
    image_alt = models.CharField("image description (alt text)", max_length=300, blank=True)
    image_caption = models.CharField(max_length=300, blank=True)
    image_credit = models.CharField(max_length=200, blank=True)

    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    # Blank: as the body's settings say (BodyDiscussionSettings).
    comment_policy = models.CharField(
        max_length=20, choices=CommentPolicy.choices, blank=True
    )

    # A meeting or election this article is about (candidates' statements, a
    # hustings report). The meetings and elections apps do not exist yet, so
    # this is a generic link; it becomes a nullable FK to each once they do.
    link_kind = models.CharField(max_length=20, choices=LinkKind.choices, blank=True)
    link_url = models.URLField(max_length=500, blank=True)
    link_label = models.CharField(max_length=200, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # The last comment number given out; numbers are taken under a row lock.
    last_comment_number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ("-published_at", "-created_at")
        indexes = [models.Index(fields=("state", "visibility", "-published_at"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="article_image_has_alt_text"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussion:article", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class ArticleAuthor(models.Model):
    """A named author of an article, with the branch or constituency they write from."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(max_length=120)
    affiliation = models.ForeignKey(
        "branches.Body", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Their branch or constituency.",
    )

    class Meta:
        ordering = ("article", "position", "pk")

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        PENDING = "pending", "Awaiting moderation"
        HIDDEN = "hidden", "Removed by moderators"
        WITHDRAWN = "withdrawn", "Withdrawn by its author"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    # 1, 2, 3 ... per article, in order of posting; shown as "#12".
    number = models.PositiveIntegerField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The number of the top-level comment of this thread (its own number if top-level).
    thread = models.PositiveIntegerField()
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=(PATH_WIDTH + 1) * (MAX_DEPTH + 1))

    # A member comments under their own name; a visitor gives a name.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="discussion_comments",
    )
    name = models.CharField(max_length=80)
    # Never shown; used to recognise an approved visitor, erased on request.
    email = models.EmailField("e-mail address", max_length=254, blank=True)
    text = models.TextField(max_length=5000)
    # ``text`` escaped, with line breaks and links (discussion.markdown.render_comment).
    html = models.TextField(editable=False, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.VISIBLE)

    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # SHA-256 of the visitor's browser secret (a signed cookie): lets them edit
    # or withdraw. The secret itself is never stored.
    secret_hash = models.CharField(max_length=64, blank=True)

    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    moderation_reason = models.CharField(max_length=500, blank=True)

    # Set on a page of the thread for display (selectors.comment_page), never stored.
    badge: str
    parent_on_page: bool
    indent: int

    class Meta:
        ordering = ("article", "path")
        constraints = [
            models.UniqueConstraint(fields=("article", "number"), name="unique_comment_number"),
        ]
        indexes = [
            models.Index(fields=("article", "path"), name="comment_reading_order"),
            models.Index(fields=("status", "created_at"), name="comment_status"),
            models.Index(fields=("email",), name="comment_email"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} on {self.article_id} by {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("discussion:comment", args=[self.article.slug, self.number])

    @property
    def parent_number(self) -> int | None:
        """The number of the comment this replies to, read from ``path`` (no query)."""
        parts = self.path.split(".")
        return int(parts[-2]) if len(parts) > 1 else None

    @property
    def is_removed(self) -> bool:
        return self.status == self.Status.HIDDEN

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN


class CommentReport(models.Model):
    class Reason(models.TextChoices):
        ABUSE = "abuse", "Abusive or threatening"
        HATE = "hate", "Hateful or discriminatory"
        SPAM = "spam", "Spam or advertising"
        PRIVACY = "privacy", "Reveals someone's personal details"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=1000, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("created_at", "pk")
        indexes = [models.Index(fields=("resolved_at",), name="report_open")]

    def __str__(self) -> str:
        return f"Report on #{self.comment_id}: {self.get_reason_display()}"


class ApprovedCommenter(models.Model):
    """A commenter whose comments skip pre-moderation: an account, or a visitor's e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )
    email = models.EmailField("e-mail address", max_length=254, null=True, blank=True,
                              unique=True)
    approved_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(email__isnull=False),
                name="approved_commenter_is_someone",
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.email)


class BlockedTerm(models.Model):
    """A word, e-mail address (or ``@domain``) or IP address refused in comments."""

    class Kind(models.TextChoices):
        WORD = "word", "Word or phrase"
        EMAIL = "email", "E-mail address or @domain"
        IP = "ip", "IP address"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ("kind", "value")
        constraints = [
            models.UniqueConstraint(fields=("kind", "value"), name="unique_blocked_term")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ModerationLog(models.Model):
    """Every moderation action and every refused spam or abuse attempt: who, what, why."""

    class Action(models.TextChoices):
        HIDE = "hide", "Removed a comment"
        APPROVE = "approve", "Approved a comment"
        REPORT = "report", "Reported a comment"
        REFUSE = "refuse", "Refused a comment"
        ERASE_EMAIL = "erase_email", "Erased a commenter's e-mail"
        SUBMIT = "submit", "Submitted an article for review"
        PUBLISH = "publish", "Published an article"
        UNPUBLISH = "unpublish", "Withdrew an article from publication"
        EDIT = "edit", "Changed an article"
        DELETE = "delete", "Deleted an article"

    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    # For refusals: the refusal's code (rate_limited, honeypot, too_many_links, blocked ...).
    code = models.CharField(max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.code}".strip()
