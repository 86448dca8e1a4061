def test_it_lists_constituencies_with_their_branches_and_wards(client, area):
    response = client.get("/branches/")

    assert 200 == response.status_code
    page = response.content.decode()
    assert "Chingford and Woodford Green" in page
    assert 'href="/branches/WF-CHN/"' in page
    assert "Hale End and Highams Park" in page


def test_it_finds_the_branch_of_a_postcode(client, area):
    response = client.get("/branches/find/", {"postcode": "e47aa"})

    assert 200 == response.status_code
    page = response.content.decode()
    assert "E4 7AA" in page
    assert 'href="/branches/WF-CHN/"' in page


def test_it_explains_a_bad_or_unknown_postcode(client, area):
    bad = client.get("/branches/find/", {"postcode": "E4 7A"})
    unknown = client.get("/branches/find/", {"postcode": "E4 0ZZ"})

    assert 400 == bad.status_code
    assert "is not a full UK postcode" in bad.content.decode()
    assert 'aria-invalid="true"' in bad.content.decode()
    assert 404 == unknown.status_code
    assert "E4 0ZZ is not in our list" in unknown.content.decode()


def test_it_lists_the_branches_it_promises_for_an_unknown_postcode(client, area):
    page = client.get("/branches/find/", {"postcode": "SW1A 1AA"}).content.decode()

    assert "find your branch in the list" in page
    assert 'href="/branches/WF-CHN/"' in page and 'href="/branches/WF-HPH/"' in page


def test_the_find_page_without_a_postcode_shows_the_form(client, db):
    response = client.get("/branches/find/")

    assert 200 == response.status_code
    assert 'name="postcode"' in response.content.decode()


def test_the_pages_refuse_post(client, area):
    assert 405 == client.post("/branches/").status_code
