import pytest
from django.db import connection, transaction

from rankfile.core.db import relaxed_commits


def setting() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
        else:
            cursor.execute("PRAGMA synchronous")
        return str(cursor.fetchone()[0])


RELAXED = {"postgresql": "off", "sqlite": "1"}  # SQLite's NORMAL is 1


@pytest.mark.django_db(transaction=True)
def test_it_relaxes_commits_for_its_block_and_puts_the_setting_back():
    before = setting()

    with relaxed_commits():
        during = setting()

    assert RELAXED[connection.vendor] == during != before
    assert before == setting()


def test_it_changes_nothing_inside_a_transaction(db):
    before = setting()

    with transaction.atomic(), relaxed_commits():
        assert before == setting()
