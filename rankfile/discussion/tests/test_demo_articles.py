from rankfile.branches.models import Body
from rankfile.demo.articles import load_demo_articles
from rankfile.discussion.models import Article, Comment


def test_it_loads_two_published_articles_with_threads_once(area, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    area.branch.code = "WF-CHN"
    area.branch.save()
    Body.objects.create(kind=Body.Kind.BRANCH, name="Walthamstow Central", code="WF-WAC",
                        parent=area.constituency)

    articles = load_demo_articles(area.organisation)
    load_demo_articles(area.organisation)

    assert 2 == Article.objects.filter(state=Article.State.PUBLISHED).count()
    assert [6, 5] == [a.comments.count() for a in articles]  # no member login loaded here
    assert Comment.objects.filter(depth__gte=2).exists()
    html = client.get(articles[0].get_absolute_url()).content.decode()
    assert "Rosa Okafor" in html and "What is actually different" in html
