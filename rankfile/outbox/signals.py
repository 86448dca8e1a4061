"""What the outbox tells the apps whose mail it sends, without importing them.

``message_bounced``: a sent message bounced, recorded by hand or read from the
bounce mailbox (``outbox_record_bounce``). Sent inside the transaction that
marks the message, with ``message`` (the ``OutboxMessage``), ``reason`` and
``by`` (who recorded it: a person, or ``System`` for the bounce mailbox). A
receiver's writes commit or roll back with the mark: the elections app keeps its
audit log whole this way, whichever way the bounce arrived.
"""

from django.dispatch import Signal

message_bounced = Signal()
