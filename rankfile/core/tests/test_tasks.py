import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from rankfile.accounts.models import ApiToken, User
from rankfile.core.db import insert_new, insert_together
from rankfile.core.tasks import enqueue

RAN: list[int] = []


@task()
def remember(*, value: int) -> None:
    RAN.append(value)


@task(priority=5)
def remember_later(*, value: int) -> None:
    RAN.append(value)


def _row(result_id: object) -> dict[str, object]:
    row = DBTaskResult.objects.get(pk=result_id)
    return {f.name: getattr(row, f.name) for f in DBTaskResult._meta.concrete_fields
            if f.name not in ("id", "enqueued_at")}


@pytest.mark.parametrize("job", [remember, remember_later])
def test_it_writes_the_row_the_backend_writes(db, job):
    by_backend = job.enqueue(value=1).id
    enqueue(job, value=1)

    ours = DBTaskResult.objects.exclude(pk=by_backend).get()
    assert _row(by_backend) == _row(ours.pk)
    assert ours.enqueued_at is not None


# The worker closes its database connection between jobs: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_what_it_enqueued():
    RAN.clear()
    enqueue(remember, value=7)
    enqueue(remember, value=8)

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert [7, 8] == sorted(RAN)
    assert 2 == DBTaskResult.objects.successful().count()


def test_insert_new_stores_what_save_stores(db):
    now = timezone.now()
    saved = User(email="saved@example.org", first_name="Ada", date_joined=now)
    saved.set_unusable_password()
    saved.save(force_insert=True)
    inserted = User(email="inserted@example.org", first_name="Ada", date_joined=now,
                    password=saved.password)

    insert_new(inserted)

    assert inserted.pk is not None and not inserted._state.adding
    fresh = {u.email: u for u in User.objects.all()}
    for field in User._meta.concrete_fields:
        if field.name not in ("id", "email"):
            assert getattr(fresh["saved@example.org"], field.name) == getattr(
                fresh["inserted@example.org"], field.name), field.name


def test_insert_new_raises_on_a_broken_constraint_and_writes_nothing(db):
    insert_new(User(email="one@example.org", date_joined=timezone.now()))

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(User(email="one@example.org", date_joined=timezone.now()))

    assert 1 == User.objects.count()


def test_it_keeps_a_run_after_time(db):
    job = remember.using(run_after=timezone.now() + timezone.timedelta(hours=1))
    by_backend = job.enqueue(value=2).id
    enqueue(job, value=2)

    ours = DBTaskResult.objects.exclude(pk=by_backend).get()
    assert _row(by_backend) == _row(ours.pk)


def _login_with_token(email: str, token_hash: str) -> tuple[User, ApiToken]:
    now = timezone.now()
    user = User(email=email, date_joined=now)
    return user, ApiToken(user=user, name="t", prefix="rf_x", token_hash=token_hash,
                          created_at=now)


def test_insert_together_points_rows_at_those_written_before_them(db):
    user, token = _login_with_token("a@example.org", "h1")

    with transaction.atomic():
        insert_together(user, token)

    stored = ApiToken.objects.select_related("user").get()
    assert (user.pk, token.pk) == (stored.user.pk, stored.pk)
    assert user is token.user and user.pk == token.user_id


def test_insert_together_writes_nothing_when_one_row_breaks_a_constraint(db):
    insert_together(*_login_with_token("a@example.org", "h1"))

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(*_login_with_token("b@example.org", "h1"))  # the token clashes

    assert ["a@example.org"] == [u.email for u in User.objects.all()]


def test_insert_together_stores_nulls_and_booleans_as_save_does(db):
    now = timezone.now()
    saved = User(email="saved@example.org", is_staff=True, is_active=False, date_joined=now,
                 password="!x")
    saved.save(force_insert=True)
    user, token = _login_with_token("chained@example.org", "h2")
    user.is_staff, user.is_active, user.date_joined, user.password = True, False, now, "!x"

    insert_together(user, token)

    fresh = {u.email: u for u in User.objects.all()}
    for field in User._meta.concrete_fields:
        if field.name not in ("id", "email"):
            assert getattr(fresh["saved@example.org"], field.name) == getattr(
                fresh["chained@example.org"], field.name), field.name
    assert ApiToken.objects.get().last_used_at is None
