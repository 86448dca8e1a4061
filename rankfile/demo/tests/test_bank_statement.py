from django.core.management import call_command

from rankfile.accounts.models import User
from rankfile.core.actors import SYSTEM
from rankfile.demo.payments import BANK_STATEMENT, payments_note
from rankfile.membership.models import BankLine
from rankfile.membership.services.bank import bank_statement_import
from rankfile.membership.services.dues import dues_run


def test_it_pays_demo_applicants_from_the_sample_statement(db, capsys):
    call_command("load_demo", "--people", "300")
    staff = User.objects.get(email="staff@demo.rankfile.org")

    report = bank_statement_import(data=BANK_STATEMENT.read_bytes(),
                                   filename=BANK_STATEMENT.name, by=staff)

    O = BankLine.Outcome  # noqa: E741
    assert [O.MATCHED] * 3 + [O.AMBIGUOUS, O.MATCHED, O.UNMATCHED, O.UNMATCHED, O.SKIPPED] == [
        r.outcome for r in report.lines]
    assert "rankfile/demo/bank_statement.csv" in capsys.readouterr().out


def test_it_keeps_the_demo_members_dues_as_their_status_says(db):
    call_command("load_demo", "--people", "300")

    report = dues_run(by=SYSTEM)

    assert (0, 0, 0) == (report.in_arrears, report.lapsed, report.active_again)
    assert 0 == sum(report.reminded.values())


def test_it_says_payments_are_offline_without_stripe_test_keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_live_real_money"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_1"

    assert "Payments are offline only" in payments_note()
