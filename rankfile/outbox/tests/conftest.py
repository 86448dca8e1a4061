import pytest

from rankfile.outbox.tests.backends import RecordingBackend


@pytest.fixture
def server(settings):
    """The mail server the outbox sends to, for tests that look at what it received."""
    settings.EMAIL_BACKEND = "rankfile.outbox.tests.backends.RecordingBackend"
    RecordingBackend.reset()
    yield RecordingBackend
    RecordingBackend.reset()
