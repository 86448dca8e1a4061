"""An index for the vetting queue's first page: the pending applications, oldest first.

Partial (only rows waiting for vetting), so the queue and its count read a
small index instead of every membership; a sign-up writes one more index
entry, removed from it once the application is decided. It carries the
columns the queue filters on, so counting the queue (up to its cap) is an
index-only scan: without them, each row counted was a random read of the
table (10,000 of them took 450 ms on the benchmark's 650,000 people). Made here with SQL
rather than in ``Membership.Meta``: the membership app does not know vetting.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("vetting", "0001_initial"),
        ("membership", "0004_stripe_refunds_bank_statements_dues"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS vetting_queue_pending ON membership_membership "
            "(applied_at, id, status, category_id, branch_id, constituency_id) "
            "WHERE vetting = 'pending'",
            "DROP INDEX IF EXISTS vetting_queue_pending",
        ),
    ]
