"""Rendering what people write into HTML that is safe to show.

Articles are Markdown with a small allowlist of HTML; comments are plain
text with line breaks and links. Both go through nh3 (a maintained
sanitiser, ammonia): nothing here tries to strip HTML by hand.
"""

from __future__ import annotations

import re

import markdown as md
import nh3
from django.utils.html import escape, urlize

ARTICLE_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "sub", "sup", "small", "mark", "a", "abbr", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "q", "cite", "code", "pre", "kbd", "table", "thead", "tbody", "tr", "th",
    "td", "caption", "figure", "figcaption",
}
ARTICLE_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

# Counted, not parsed: anything that looks like a link in a comment.
LINK_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|info|ru|xyz|biz)\b",
                     re.IGNORECASE)


def render_article(text: str) -> str:
    """Markdown to sanitised HTML: no script, no event handlers, no javascript: links.

    A level-one heading in the text becomes level two: the page's title is the only h1.
    """
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    html = re.sub(r"<(/?)h1\b", r"<\1h2", html)
    return nh3.clean(
        html, tags=ARTICLE_TAGS, attributes=ARTICLE_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener", strip_comments=True,
    )


def render_comment(text: str) -> str:
    """Plain text to HTML: everything escaped, paragraphs and line breaks kept,
    web addresses linked with ``rel="nofollow ugc"``."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    parts = []
    for para in paragraphs:
        linked = urlize(escape(para), nofollow=False, autoescape=False)
        parts.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return nh3.clean(
        "".join(parts), tags={"p", "br", "a"}, attributes={"a": {"href"}},
        url_schemes={"http", "https"}, link_rel="nofollow ugc noopener",
    )


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text))
