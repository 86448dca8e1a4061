"""Pages for articles, comments and moderation. Each action calls one service
and turns its ``Refusal`` into a form error or a message line."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rankfile.accounts.http import AuthenticatedHttpRequest
from rankfile.accounts.models import User
from rankfile.accounts.roles import bodies_with_role, bodies_within
from rankfile.branches.models import Body
from rankfile.core.errors import NotFound, PermissionRefused, Refusal
from rankfile.core.forms import form_add_refusal
from rankfile.discussion import selectors
from rankfile.discussion.access import (
    AUTHORS,
    MODERATORS,
    access_article,
    badges_for,
    can_edit_article,
    can_moderate,
    can_publish,
    is_article_author,
)
from rankfile.discussion.forms import (
    ArticleForm,
    CommentEditForm,
    CommentForm,
    EraseRequestForm,
    ModerateForm,
    ReportForm,
)
from rankfile.discussion.models import Article, Comment, CommentReport, Tag
from rankfile.discussion.services.articles import (
    AuthorSpec,
    article_create,
    article_publish,
    article_submit,
    article_update,
)
from rankfile.discussion.services.comments import (
    EDIT_MINUTES,
    can_edit,
    can_post,
    comment_edit,
    comment_post,
    comment_report,
    comment_withdraw,
    display_name,
    is_comment_owner,
    secret_hash,
)
from rankfile.discussion.services.moderation import (
    comment_moderate,
    commenter_erase_by_link,
    commenter_erase_request,
    email_from_erase_token,
)

REPORT_OPTIONS = format_html_join(
    "", '<option value="{}">{}</option>',
    [("", "Choose a reason"), *CommentReport.Reason.choices])
SECRET_COOKIE = "rf_commenter"
SECRET_SALT = "rankfile.discussion.commenter"
SECRET_MAX_AGE = 30 * 24 * 3600


def _secret(request: HttpRequest) -> str:
    """The visitor's browser secret, from its signed cookie ("" if none or tampered with)."""
    return request.get_signed_cookie(SECRET_COOKIE, default="", salt=SECRET_SALT,
                                     max_age=SECRET_MAX_AGE) or ""


def _keep_secret(request: HttpRequest, response: HttpResponse, secret: str) -> None:
    response.set_signed_cookie(
        SECRET_COOKIE, secret, salt=SECRET_SALT, max_age=SECRET_MAX_AGE, httponly=True,
        samesite="Lax", secure=request.is_secure(), path=reverse("discussion:list"))


def _access(request: HttpRequest, slug: str) -> Article:
    try:
        return access_article(request.user, slug)
    except NotFound as e:
        raise Http404(e.message) from None


def _comment(article: Article, number: int) -> Comment:
    comment = get_object_or_404(Comment, article=article, number=number)
    comment.article = article
    return comment


def _back_to(request: HttpRequest, comment: Comment) -> HttpResponse:
    page = selectors.comment_page_number(
        comment=comment, user=request.user, secret_hash=secret_hash(_secret(request)),
        moderator=can_moderate(request.user, comment.article.body))
    return redirect(f"{comment.article.get_absolute_url()}?page={page}#c{comment.number}")


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    tag = request.GET.get("tag", "").strip()
    author = request.GET.get("author", "").strip()[:120]
    body = None
    if code := request.GET.get("body", "").strip():
        body = Body.objects.filter(code=code).first()
    articles = selectors.article_list(user=request.user, tag=tag, author=author, body=body)
    page = Paginator(articles, selectors.ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussion/article_list.html", {
        "page": page, "tag": Tag.objects.filter(slug=tag).first() if tag else None,
        "author": author, "body": body,
        "can_write": bool(bodies_with_role(request.user, AUTHORS)),
    })


def _render_article(request: HttpRequest, article: Article, form: CommentForm | None = None,
                    *, status: int = 200, reply_to: int | None = None) -> HttpResponse:
    user = request.user
    secret = _secret(request)
    moderator = can_moderate(user, article.body)
    page = selectors.comment_page(article=article, user=user, page=request.GET.get("page"),
                                  secret_hash=secret_hash(secret), moderator=moderator)
    for c in page.object_list:
        c.mine = is_comment_owner(c, user=user, secret=secret)
        c.editable = c.mine and can_edit(c, user=user, secret=secret)
        # Ready-made strings: the template renders them 50 times a page, and
        # localising numbers and dates in the template is most of its cost.
        local = timezone.localtime(c.created_at)
        c.num = str(c.number)
        c.parent_num = str(c.parent_number) if c.depth else ""
        c.iso, c.when = local.isoformat(), f"{local.day} {local:%b %Y, %H:%M}"
    allowed, why = can_post(article=article, user=user)
    member = user.is_authenticated
    if form is None:
        initial = {"parent": reply_to} if reply_to else {}
        form = CommentForm(member=member, initial=initial)
    parent_number = form["parent"].value()
    replying_to = None
    if parent_number:
        replying_to = Comment.objects.filter(article=article, number=parent_number,
                                             status=Comment.Status.VISIBLE).only(
            "number", "name").first()
    commenter_name = commenter_badge = ""
    if user.is_authenticated:
        commenter_name = display_name(user)
        commenter_badge = badges_for([user.pk]).get(user.pk, "")
    return render(request, "discussion/article_detail.html", {
        "article": article,
        "commenter_name": commenter_name,
        "commenter_badge": commenter_badge,
        "authors": article.authors.select_related("affiliation"),
        "tags": article.tags.all(),
        "page": page,
        "form": form,
        "can_post": allowed,
        "why_not": why,
        "replying_to": replying_to,
        "moderator": moderator,
        "can_edit_article": can_edit_article(user, article),
        "can_publish": can_publish(user, article.body),
        "is_author": is_article_author(user, article),
        "edit_minutes": EDIT_MINUTES,
        "report_options": REPORT_OPTIONS,
        "comments_url": reverse("discussion:comment_post", args=[article.slug]),
        "page_num": str(page.number),
        "absolute_url": settings.SITE_URL + article.get_absolute_url(),
    }, status=status)


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = _access(request, slug)
    reply = request.GET.get("reply", "")
    return _render_article(request, article, reply_to=int(reply) if reply.isdigit() else None)


@require_GET
def article_image(request: HttpRequest, slug: str) -> FileResponse:
    article = _access(request, slug)
    if not article.image:
        raise Http404("This article has no image.")
    response = FileResponse(article.image.open("rb"), content_type=article.image_content_type)
    response["Cache-Control"] = "public, max-age=3600" if (
        article.visibility == Article.Visibility.PUBLIC) else "private, max-age=3600"
    return response


@require_POST
def comment_create(request: HttpRequest, slug: str) -> HttpResponse:
    article = _access(request, slug)
    member = request.user.is_authenticated
    form = CommentForm(request.POST, member=member)
    if not form.is_valid():
        return _render_article(request, article, form, status=400)
    data = form.cleaned_data
    secret = "" if member else (_secret(request) or secrets.token_urlsafe(32))
    try:
        comment = comment_post(
            article=article, text=data["text"], user=request.user, name=data.get("name", ""),
            email=data.get("email", ""), parent_number=data.get("parent"), secret=secret,
            honeypot=data.get("website", ""), request=request,
        )
    except Refusal as e:
        form_add_refusal(form, e)
        return _render_article(request, article, form, status=e.http_status)
    if comment.status == Comment.Status.PENDING:
        messages.success(request, f"Thank you. Your comment #{comment.number} will appear "
                                  "once a moderator has approved it.")
    else:
        messages.success(request, f"Your comment #{comment.number} is posted. You can edit "
                                  f"it for {EDIT_MINUTES} minutes.")
    response = _back_to(request, comment)
    if secret:
        _keep_secret(request, response, secret)
    return response


@require_GET
def comment_goto(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A comment's permanent address: the page of the thread it is on."""
    return _back_to(request, _comment(_access(request, slug), number))


@require_POST
def comment_change(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    comment = _comment(_access(request, slug), number)
    form = CommentEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(form.errors["text"][0]))
        return _back_to(request, comment)
    try:
        comment = comment_edit(comment=comment, text=form.cleaned_data["text"],
                               user=request.user, secret=_secret(request), request=request)
    except Refusal as e:
        messages.error(request, e.message)
    else:
        if comment.status == Comment.Status.PENDING:
            messages.success(request, f"Your comment #{comment.number} is changed. It will "
                                      "appear again once a moderator has approved it.")
        else:
            messages.success(request, f"Your comment #{comment.number} is changed.")
    return _back_to(request, comment)


@require_POST
def comment_remove_own(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    comment = _comment(_access(request, slug), number)
    try:
        comment_withdraw(comment=comment, user=request.user, secret=_secret(request))
    except Refusal as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Your comment #{comment.number} is withdrawn.")
    return _back_to(request, comment)


@require_POST
def comment_flag(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    comment = _comment(_access(request, slug), number)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why you are reporting this comment.")
        return _back_to(request, comment)
    try:
        comment_report(comment=comment, reason=form.cleaned_data["reason"],
                       detail=form.cleaned_data["detail"], user=request.user, request=request)
    except Refusal as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"Thank you. The moderators will look at comment "
                                  f"#{comment.number}.")
    return _back_to(request, comment)


@login_required
@require_GET
def moderation(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not bodies_with_role(request.user, MODERATORS):
        return render(request, "discussion/refused.html",
                      {"message": "This page is for moderators."}, status=403)
    return render(request, "discussion/moderation.html", {
        "comments": selectors.moderation_queue(user=request.user)[:200],
        "in_review": selectors.articles_in_review(user=request.user),
        "form": ModerateForm(),
    })


@login_required
@require_POST
def comment_decide(request: AuthenticatedHttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("article__body"), pk=comment_id)
    form = ModerateForm(request.POST)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = reverse("discussion:moderation")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect(next_url)
    try:
        comment_moderate(comment=comment, moderator=request.user, **form.cleaned_data)
    except PermissionRefused as e:
        return render(request, "discussion/refused.html", {"message": e.message}, status=403)
    except Refusal as e:
        messages.error(request, e.message)
    else:
        done = "removed" if form.cleaned_data["action"] == "hide" else "approved"
        messages.success(request, f"Comment #{comment.number} on “{comment.article}” is {done}.")
    return redirect(next_url)


@require_http_methods(["GET", "POST"])
def erase_request(request: HttpRequest) -> HttpResponse:
    form = EraseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            commenter_erase_request(email=form.cleaned_data["email"], request=request)
        except Refusal as e:
            form_add_refusal(form, e)
        else:
            messages.success(request, "If any comment carries that address, we have e-mailed "
                                      "it a link to erase it. The link works for 7 days.")
            return redirect("discussion:erase_request")
    return render(request, "discussion/erase_request.html", {"form": form},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def erase_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = email_from_erase_token(token)
    except Refusal as e:
        return render(request, "discussion/erase_confirm.html", {"error": e.message}, status=400)
    if request.method == "POST":
        commenter_erase_by_link(token=token)
        messages.success(request, "Your e-mail address is erased from all your comments.")
        return redirect("discussion:list")
    return render(request, "discussion/erase_confirm.html", {"email": email})


# Authors: write, submit; moderators: publish.

def _author_bodies(user: User) -> QuerySet[Body]:
    return Body.objects.filter(pk__in=bodies_within(bodies_with_role(user, AUTHORS)))


def _article_form_result(request: AuthenticatedHttpRequest, form: ArticleForm,
                         article: Article | None) -> Article | None:
    data = form.cleaned_data
    authors = None
    if data["other_authors"] or article is None:
        first = []
        if article is not None:
            first = [AuthorSpec(a.name, a.affiliation, a.user)
                     for a in article.authors.filter(user__isnull=False)]
        elif request.user.is_authenticated:
            from rankfile.discussion.services.articles import _default_authors
            first = _default_authors(request.user)
        authors = first + [AuthorSpec(n, b) for n, b in data["other_authors"]]
    fields = {k: data[k] for k in (
        "title", "standfirst", "markdown", "tags", "visibility", "comment_policy", "image_alt",
        "image_caption", "image_credit", "link_kind", "link_url", "link_label")}
    try:
        if article is None:
            return article_create(by=request.user, body=data["body"], authors=authors,
                                  image=data["image"], **fields)
        return article_update(article=article, by=request.user, authors=authors,
                              image=data["image"] or None, **fields)
    except Refusal as e:
        form_add_refusal(form, e)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def article_write(request: AuthenticatedHttpRequest) -> HttpResponse:
    bodies = _author_bodies(request.user)
    if not bodies.exists():
        raise Http404("This page is for members with an author role.")
    form = ArticleForm(request.POST or None, request.FILES or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        article = _article_form_result(request, form, None)
        if article is not None:
            messages.success(request, "Your draft is saved. Submit it for review when ready.")
            return redirect(article)
    return render(request, "discussion/article_form.html", {"form": form, "article": None},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    article = _access(request, slug)
    if not can_edit_article(request.user, article):
        raise Http404("You may not change this article.")
    bodies = Body.objects.filter(pk=article.body_id)
    initial = {
        "body": article.body, "tags": ", ".join(t.name for t in article.tags.all()),
        **{f: getattr(article, f) for f in (
            "title", "standfirst", "markdown", "visibility", "comment_policy", "image_alt",
            "image_caption", "image_credit", "link_kind", "link_url", "link_label")},
    }
    form = ArticleForm(request.POST or None, request.FILES or None, bodies=bodies,
                       initial=initial)
    if request.method == "POST" and form.is_valid():
        if _article_form_result(request, form, article) is not None:
            messages.success(request, "The article is saved.")
            return redirect(article)
    return render(request, "discussion/article_form.html", {"form": form, "article": article},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def article_submit_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    article = _access(request, slug)
    try:
        article_submit(article=article, by=request.user)
    except Refusal as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "Submitted for review: a moderator will publish it.")
    return redirect(article)


@login_required
@require_POST
def article_publish_view(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    article = _access(request, slug)
    try:
        article_publish(article=article, by=request.user)
    except Refusal as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "The article is published.")
    return redirect(article)


@login_required
@require_GET
def my_articles(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "discussion/my_articles.html", {
        "articles": selectors.articles_by(user=request.user),
        "can_write": _author_bodies(request.user).exists(),
    })
