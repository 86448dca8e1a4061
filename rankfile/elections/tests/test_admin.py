"""The elections in the admin: read only, ballots only after the close, no code shown."""

from rankfile.elections.models import Ballot, Credential
from rankfile.elections.services.casting import ballot_cast_as_voter
from rankfile.elections.services.setup import election_close
from rankfile.elections.tests.helpers import code_for, ids


def test_ballots_show_only_once_the_box_is_closed(client, staff, open_election, member,
                                                  returning_officer):
    ballot_cast_as_voter(election=open_election, voter=member, ranking=ids(open_election)[:1])
    tracker = Ballot.objects.get().tracker
    client.force_login(staff)

    sealed = client.get("/admin/elections/ballot/")
    assert 200 == sealed.status_code and tracker not in sealed.content.decode()
    election_close(by=returning_officer, election=open_election)

    assert tracker in client.get("/admin/elections/ballot/").content.decode()
    page = client.get(f"/admin/elections/ballot/{Ballot.objects.get().pk}/change/")
    assert 200 == page.status_code
    assert 'name="_save"' not in page.content.decode()  # read only


def test_a_credential_shows_whose_and_when_never_its_code(client, auditor, open_election,
                                                          member):
    code = code_for(open_election, member)
    credential = Credential.objects.get()
    client.force_login(auditor)

    page = client.get(f"/admin/elections/credential/{credential.pk}/change/").content.decode()

    assert code not in page and credential.code_hmac not in page
    assert "Issued at" in page


def test_the_audit_log_shows_who_by_account_number_and_current_address(client, auditor,
                                                                        open_election,
                                                                        returning_officer):
    from rankfile.elections.models import AuditEntry

    entry = AuditEntry.objects.filter(election=open_election).order_by("number").first()
    assert entry is not None
    client.force_login(auditor)

    listed = client.get("/admin/elections/auditentry/").content.decode()
    page = client.get(f"/admin/elections/auditentry/{entry.pk}/change/").content.decode()

    shown = f"user {returning_officer.pk} ({returning_officer.email})"
    assert shown in listed and shown in page


def test_the_audit_list_looks_its_people_up_once_a_page(client, auditor, open_election,
                                                        returning_officer, member, supporter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rankfile.elections.services.audit import audit_append

    client.force_login(auditor)
    client.get("/admin/elections/auditentry/")  # sessions, permissions: read once
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/elections/auditentry/")
    for person in (returning_officer, member, supporter, auditor):
        audit_append(election=open_election, action="test_step", by=person)

    with CaptureQueriesContext(connection) as more:
        listed = client.get("/admin/elections/auditentry/").content.decode()

    assert len(few) == len(more)
    assert f"user {member.pk} ({member.email})" in listed
