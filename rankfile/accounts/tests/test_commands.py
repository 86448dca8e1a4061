import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rankfile.accounts.models import Role
from rankfile.demo.personas import give_two_factor


def test_it_grants_a_role_in_the_organisation_as_the_system(client, outsider, area, capsys):
    call_command("grant_role", "OUTSIDER@example.org", "staff")

    role = Role.objects.get(user=outsider)
    assert (area.organisation, None) == (role.body, role.granted_by)
    assert "outsider@example.org is now membership staff of Test Party" in capsys.readouterr().out
    client.force_login(outsider)
    # A new officer sets up two-factor authentication before entering the admin.
    assert "/accounts/2fa/totp/activate/" == client.get("/admin/").url
    give_two_factor(outsider)
    assert 200 == client.get("/admin/").status_code


def test_it_grants_a_role_in_a_named_body_until_a_day(outsider, area):
    call_command("grant_role", outsider.email, "secretary", "--body", "WF-HPH",
                 "--until", "2030-01-31")

    role = Role.objects.get(user=outsider)
    assert ("WF-HPH", dt.date(2030, 1, 31)) == (role.body.code, role.ends_on)


@pytest.mark.parametrize("args, message", [
    (["nobody@example.org", "staff"], "No login has the e-mail address nobody@example.org."),
    (["outsider@example.org", "staff", "--body", "NOPE"], "No body has the code NOPE."),
    (["outsider@example.org", "staff", "--until", "2001-01-01"],
     "A role cannot end before it starts. Check the end date."),
])
def test_it_refuses_plainly_and_grants_nothing(outsider, area, args, message):
    with pytest.raises(CommandError) as e:
        call_command("grant_role", *args)

    assert str(e.value).startswith(message)
    assert not Role.objects.exists()
