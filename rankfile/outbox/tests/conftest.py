from email.message import Message

import pytest
from django_tasks_db.models import DBTaskResult

from rankfile.outbox.models import OutboxMessage
from rankfile.outbox.services import Draft, outbox_enqueue_many, outbox_send
from rankfile.outbox.tests.backends import RecordingBackend


@pytest.fixture
def server(settings):
    """The mail server the outbox sends to, for tests that look at what it received."""
    settings.EMAIL_BACKEND = "rankfile.outbox.tests.backends.RecordingBackend"
    RecordingBackend.reset()
    yield RecordingBackend
    RecordingBackend.reset()


@pytest.fixture
def originals(db, server) -> dict[str, Message]:
    """Two voting codes sent, to Ann and Bob: each address's message as it went out."""
    addresses = ["ann@example.org", "bob@example.org"]
    outbox_enqueue_many(Draft(to=a, subject="Rank & File: Your voting code", body="Code",
                              purpose="ballot", key=f"ballot:{a}") for a in addresses)
    DBTaskResult.objects.all().delete()  # sent here, not by the delivery job
    outbox_send(ids=list(OutboxMessage.objects.values_list("pk", flat=True)))
    return {m.to[0]: m.message() for m in server.received}
