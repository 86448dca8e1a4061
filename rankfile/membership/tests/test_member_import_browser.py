"""Staff check a members' file in a browser, see its errors by row, then import a good one."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from rankfile.front.tests.conftest import log_in
from rankfile.membership.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = b"email,first_name,last_name,date_of_birth,postcode\n"


@pytest.fixture
def offers(area):
    from rankfile.membership.tests.join_helpers import make_offers

    return make_offers()


def _serious(page):
    found = Axe().run(page).response["violations"]
    return [v["id"] for v in found if v["impact"] in ("serious", "critical")]


def test_staff_see_each_bad_row_then_import_a_good_file(phone, live_server, staff, offers):
    log_in(phone, live_server, staff)
    phone.goto(live_server.url + "/staff/members/import/")

    phone.get_by_label("CSV file of members").set_input_files(files=[{
        "name": "old.csv", "mimeType": "text/csv",
        "buffer": HEADER + b"ada@example.org,Ada,L,1980-13-01,E4 7AA\n"}])
    phone.get_by_role("button", name="Check the file").click()

    assert phone.get_by_text("Enter the date of birth as YYYY-MM-DD").is_visible()
    assert "2" == phone.locator(".import-errors tbody td").first.inner_text()
    assert [] == _serious(phone)
    assert not Membership.objects.filter(user__email="ada@example.org").exists()

    phone.get_by_label("CSV file of members").set_input_files(files=[{
        "name": "old.csv", "mimeType": "text/csv",
        "buffer": HEADER + b"ada@example.org,Ada,L,1980-12-01,E4 7AA\n"}])
    phone.get_by_role("button", name="Check the file").click()
    phone.get_by_role("button", name="Import 1 member").click()

    assert phone.get_by_text("1 member imported.").is_visible()
    assert [] == _serious(phone)
    assert Membership.objects.filter(user__email="ada@example.org").exists()
