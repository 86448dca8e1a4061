"""The demo's articles: two members make the case for joining, readers argue it out.

Two published articles, one in Chingford and one in Walthamstow Central, each
with a short thread: a sceptical reader and an enthusiastic one answer each
other, the author replies, the demo member login joins in. Everything goes
through the discussion services, so it is numbered, threaded and rendered as
real comments are. Adds two writers with the author role and a moderator
login (password ``PASSWORD``), all at @demo.rankfile.org.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from rankfile.accounts.models import Role, User
from rankfile.branches.models import Body, Postcode, WardPlacement
from rankfile.branches.selectors import organisation_get
from rankfile.demo import PASSWORD
from rankfile.discussion.models import Article
from rankfile.discussion.services.articles import AuthorSpec, article_create, article_publish
from rankfile.discussion.services.comments import comment_post
from rankfile.membership.models import Category, Membership

if TYPE_CHECKING:
    from collections.abc import Callable

    from rankfile.demo import DemoContext

MODERATOR = "moderator@demo.rankfile.org"
MEMBER = "member@demo.rankfile.org"
SLUGS = ("why-i-joined-and-why-you-should-too", "a-vote-not-a-spectators-seat")

LOGINS = (
    ("rosa.okafor@demo.rankfile.org", "a member with the author role (writes articles)"),
    ("dev.patel@demo.rankfile.org", "a member with the author role (writes articles)"),
    (MODERATOR, "moderator of comments and articles for the whole organisation"),
)

WRITERS = {
    "rosa": ("rosa.okafor@demo.rankfile.org", "Rosa", "Okafor", "WF-CHN", "RF-DEMOART1"),
    "dev": ("dev.patel@demo.rankfile.org", "Dev", "Patel", "WF-WAC", "RF-DEMOART2"),
}

ROSA_TEXT = """\
For twenty years I shouted at the television. I signed petitions, I shared
things, I voted every time. And every time I felt the same: that somebody
else, somewhere else, had already decided what I would be offered.

Then a neighbour dragged me to a branch meeting in a church hall on Station
Road. There were eleven of us and a tea urn. By the end of the evening I had
seconded a motion on the library closures, and by the spring we had kept the
library open.

## What joining actually gets you

- **A vote** on who leads the party and who stands for it here in Chingford.
- **A voice** at branch meetings: motions start there, from members, not from
  head office.
- **Neighbours.** People who knock on doors with you in the rain and then
  argue with you in the pub about everything else.

It costs less than a takeaway a month, and there is a reduced rate if money
is tight. If you have ever shouted at the television, come and shout in a
church hall instead. It works better.
"""

DEV_TEXT = """\
This summer the party will choose its leader, and for once the choice will
not be made only by the people already in the room. Anyone who shares our
aims can take part. Here is how, and why it is worth doing properly.

## Three ways in

1. **Join as a member.** Members who joined before the freeze date vote in
   the leadership election, and every member can speak and vote at branch
   meetings.
2. **Register as a supporter** while the supporters' window is open, for a
   one-off fee. Registered supporters vote in the leadership ballot.
3. **Through your union**, if it is affiliated: you can sign up as an
   affiliated supporter at no cost.

## Don't just vote: turn up

A ballot paper once every few years is a spectator's seat. The branch meeting
is where the party decides what it stands for, street by street. In
Walthamstow Central we meet on the second Thursday of the month, and the
last meeting drew 150 people, queuing out of the door.

Some people will join for one vote and vanish. I would rather they stayed.
Come once, and see if you do.
"""

# (key, name or member login key, text, reply to key)
ROSA_THREAD = (
    ("gareth1", "Gareth W.",
     "I'd like to believe this, but I joined a party once before and all I got was e-mails "
     "asking for money. What is actually different about a branch meeting?", None),
    ("priya1", "Priya S.",
     "Go to one and see! I went to Leytonstone's last month expecting a dozen people and "
     "there were 140 of us in a school hall. I spoke on the housing motion within an hour of "
     "walking in.", "gareth1"),
    ("gareth2", "Gareth W.",
     "140 people and you got to speak? Who decides who gets called? That is usually where it "
     "goes wrong.", "priya1"),
    ("rosa1", "@rosa",
     "The chair does, following the standing orders, and anyone can ask to see them. At ours, "
     "first-time speakers go first on every motion. Come on the 14th, Gareth, and hold us "
     "to it.", "gareth2"),
    ("gareth3", "Gareth W.",
     "Fair enough. I'll come and watch. No promises about the direct debit.", "rosa1"),
    ("priya2", "Priya S.",
     "Watching is how I started. See you there, Gareth.", "gareth3"),
    ("mo1", "@member",
     "Seconding all of this. I joined three years ago after one meeting about the library "
     "closures, and we kept the library.", None),
)

DEV_THREAD = (
    ("helen1", "Helen from Higham Hill",
     "Paying £25 to vote as a supporter feels like buying a say. Shouldn't the leader be "
     "chosen by people who have been members for years?", None),
    ("tom1", "Tom B.",
     "Years of membership never gave most of us a real say either. Thousands of new people "
     "joining is the best thing to happen to this party in my lifetime.", "helen1"),
    ("helen2", "Helen from Higham Hill",
     "I'm not against new people, Tom. My worry is the ones who join for one vote and are "
     "gone the day after.", "tom1"),
    ("dev1", "@dev",
     "That's a fair worry, Helen, and it is why the article says come to a branch meeting, "
     "not just the ballot. Some will vanish. The ones who stay run the street stalls in "
     "January.", "helen2"),
    ("tom2", "Tom B.",
     "Then put me down for January. I'll be one of the ones who stays.", "dev1"),
    ("mo1", "@member",
     "For what it's worth, the rules are published: members who joined before the freeze "
     "date vote as members, supporters only through the window. Nobody is buying anything "
     "in secret.", "helen1"),
)


def is_loaded() -> bool:
    return Article.objects.filter(slug__in=SLUGS).count() == len(SLUGS)


def load(ctx: DemoContext) -> None:
    organisation = organisation_get()
    assert organisation is not None, "the demo geography is loaded first"
    load_demo_articles(organisation, now=ctx.now, out=ctx.out)


def load_demo_articles(organisation: Body, *, now: dt.datetime | None = None,
                       out: Callable[[str], None] = print) -> list[Article]:
    """Load the two demo articles with their threads under ``organisation``'s
    Waltham Forest branches (WF-CHN, WF-WAC). Articles already there are kept."""
    now = now or timezone.now()
    chingford = Body.objects.get(code="WF-CHN")
    central = Body.objects.get(code="WF-WAC")
    writers = {key: _writer(*spec, now=now) for key, spec in WRITERS.items()}
    moderator = _moderator(organisation, now=now)
    member = User.objects.filter(email=MEMBER).first()
    people = {"@rosa": writers["rosa"], "@dev": writers["dev"], "@member": member}

    found = []
    for slug, writer, body, title, standfirst, text, tags, thread, ago in (
        (SLUGS[0], writers["rosa"], chingford, "Why I joined, and why you should too",
         "Twenty years of shouting at the television, then one evening in a church hall. "
         "A Chingford member makes the case for joining.", ROSA_TEXT,
         ["Joining", "Branches"], ROSA_THREAD, dt.timedelta(days=3)),
        (SLUGS[1], writers["dev"], central, "A vote, not a spectator's seat",
         "How to take part in this summer's leadership election, and why the branch "
         "meeting matters more than the ballot paper.", DEV_TEXT,
         ["Joining", "Leadership election"], DEV_THREAD, dt.timedelta(days=1)),
    ):
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            article = article_create(
                by=writer, body=body, title=title, standfirst=standfirst, markdown=text,
                tags=tags, authors=[AuthorSpec(writer.get_full_name(), body, writer)],
                now=now - ago,
            )
            article_publish(article=article, by=moderator, now=now - ago)
            _thread(article, thread, people, start=now - ago + dt.timedelta(hours=2))
            out(f"  {article.title}: {article.comments.count()} comments")
        found.append(article)
    return found


def _thread(article: Article, thread: tuple, people: dict, *, start: dt.datetime) -> None:
    numbers: dict[str, int] = {}
    for i, (key, who, text, reply_to) in enumerate(thread):
        user = people.get(who) if who.startswith("@") else None
        if who.startswith("@") and user is None:
            continue  # the member login is not loaded: skip their comment
        parent = numbers.get(reply_to) if reply_to else None
        if reply_to and parent is None:
            continue
        comment = comment_post(
            article=article, text=text, user=user, name="" if user else who,
            parent_number=parent, now=start + dt.timedelta(minutes=37 * i),
        )
        numbers[key] = comment.number


def _writer(email: str, first: str, last: str, branch_code: str, reference: str, *,
            now: dt.datetime) -> User:
    """A member of the branch holding the author role there."""
    branch = Body.objects.get(code=branch_code)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, first_name=first, last_name=last)
    since = now - dt.timedelta(days=365 * 4)
    if not Membership.objects.filter(user=user).exists():
        category, _ = Category.objects.get_or_create(kind=Category.Kind.MEMBER,
                                                     defaults={"name": "Member"})
        wards = WardPlacement.objects.on(timezone.localdate(now)).filter(branch=branch)
        place = Postcode.objects.filter(ward__in=wards.values("ward")).order_by("postcode").first()
        Membership.objects.create(
            reference=reference, user=user, category=category, status=Membership.Status.ACTIVE,
            first_name=first, last_name=last, date_of_birth=dt.date(1979, 3, 14),
            postcode=place.postcode if place else "E17 4AA", ward=place.ward if place else None,
            branch=branch, constituency=branch.parent, applied_at=since,
            joined_on=timezone.localdate(since), good_standing_since=timezone.localdate(since),
            consent_version=settings.PRIVACY_NOTICE_VERSION, consent_at=since,
        )
    Role.objects.get_or_create(user=user, kind=Role.Kind.AUTHOR, body=branch,
                               defaults={"starts_on": timezone.localdate(since),
                                         "note": "Demo writer"})
    return user


def _moderator(organisation: Body, *, now: dt.datetime) -> User:
    """The demo moderator: moderates every article of the organisation."""
    user = User.objects.filter(email=MODERATOR).first()
    if user is None:
        user = User.objects.create_user(MODERATOR, PASSWORD, first_name="Morgan",
                                        last_name="Moderator")
    Role.objects.get_or_create(
        user=user, kind=Role.Kind.MODERATOR, body=organisation,
        defaults={"starts_on": timezone.localdate(now) - dt.timedelta(days=365),
                  "note": "Demo login"})
    return user
