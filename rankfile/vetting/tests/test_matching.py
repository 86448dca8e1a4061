"""The matching rules: normalisation, duplicates and the exclusion list."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from rankfile.vetting import matching
from rankfile.vetting.matching import Person

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéü", min_size=2, max_size=12)
DOB = dt.date(1980, 5, 17)


@given(names, names, st.sampled_from([str.upper, str.lower, str.title, str.swapcase]),
       st.sampled_from(["", " ", "  "]))
def test_it_matches_a_name_whatever_its_case_spacing_or_order(first, last, case, pad):
    variant = Person(2, pad + case(last) + pad, case(first), DOB, "e4  7aa")

    assert [matching.Match(1, 2, ("name_dob_postcode",))] == matching.find_duplicates(
        [Person(1, first, last, DOB, "E4 7AA"), variant])


@given(st.text(min_size=4, max_size=12, alphabet="abcdefghij"), st.data())
def test_one_edit_apart_is_symmetric_and_finds_a_single_typo(word, data):
    i = data.draw(st.integers(0, len(word) - 1))
    changed = word[:i] + ("z" if word[i] != "z" else "y") + word[i + 1:]
    dropped = word[:i] + word[i + 1:]

    assert matching.one_edit_apart(word, changed) and matching.one_edit_apart(changed, word)
    assert matching.one_edit_apart(word, dropped) and matching.one_edit_apart(dropped, word)
    assert not matching.one_edit_apart(word, word)


def test_it_finds_a_typo_at_the_same_birth_date_and_postcode():
    people = [Person(1, "Jonathan", "Smith", DOB, "E4 7AA"),
              Person(2, "Jonathon", "Smith", DOB, "E4 7AA")]

    assert [matching.Match(1, 2, ("typo",))] == matching.find_duplicates(people)


def test_it_finds_someone_who_moved_house():
    people = [Person(1, "Ada", "Lovelace", DOB, "E4 7AA"),
              Person(2, "ada", "LOVELACE", DOB, "N1 1AA")]

    assert [matching.Match(1, 2, ("moved",))] == matching.find_duplicates(people)


def test_it_pairs_by_email_and_card_whatever_the_names():
    people = [Person(1, "A", "B", DOB, "E4 7AA", "Ann@Example.org", ("fp_1",)),
              Person(2, "C", "D", dt.date(1990, 1, 1), "N1 1AA", "ann@example.org", ("fp_1",))]

    assert [matching.Match(1, 2, ("email", "card"))] == matching.find_duplicates(people)


def test_it_does_not_pair_different_people():
    people = [Person(1, "Ada", "Lovelace", DOB, "E4 7AA", "ada@example.org"),
              Person(2, "Ada", "Lovelace", dt.date(1981, 5, 17), "E4 7AA", "a2@example.org"),
              Person(3, "Bob", "Lovelace", DOB, "E4 7AA", "bob@example.org"),
              Person(4, "Al", "Li", DOB, "E4 7AA", "al@example.org"),
              Person(5, "Al", "Lu", DOB, "E4 7AA", "lu@example.org")]

    assert [] == matching.find_duplicates(people)


@given(st.permutations([Person(1, "Jo", "Bloggs", DOB, "E4 7AA"),
                        Person(2, "Bloggs", "Jo", DOB, "E4 7AA"),
                        Person(3, "Jo", "Blogs", DOB, "E4 7AA"),
                        Person(4, "Jo", "Bloggs", DOB, "SW1A 1AA")]))
def test_the_pairs_do_not_depend_on_the_order_of_the_people(people):
    pairs = matching.find_duplicates(people)

    assert {(1, 2), (1, 3), (1, 4), (2, 3), (2, 4)} == {(m.first, m.second) for m in pairs}


def test_among_limits_pairs_to_the_new_applications():
    people = [Person(1, "Jo", "Bloggs", DOB, "E4 7AA"), Person(2, "Jo", "Bloggs", DOB, "E4 7AA"),
              Person(3, "Ed", "Ward", DOB, "E4 7AA"), Person(4, "Ed", "Ward", DOB, "E4 7AA")]

    assert [(3, 4)] == [(m.first, m.second) for m in matching.find_duplicates(people, among={4})]


def test_the_exclusion_list_explains_a_name_match_and_an_address_match():
    index = matching.ExclusionIndex([
        matching.Listed(1, "Nigel  FARAGE", "CT9 1AA", "1 Main Street"),
        matching.Listed(2, "Someone Else", "E4 7AA", "12 High Road")])

    by_name = index.match(9, "nigel", "farage", "ct91aa")
    by_address = index.match(10, "Ann", "Other", "E4 7AA", "12, high road")

    assert ["name"] == [m.rule for m in by_name]
    assert "and the postcode CT91AA" in by_name[0].explanation
    assert ["address"] == [m.rule for m in by_address]
    assert [] == index.match(11, "Nigel", "Farrago", "CT9 1AA")


def test_a_listed_name_in_another_postcode_district_is_someone_else():
    index = matching.ExclusionIndex([matching.Listed(1, "John Smith", "E4 7AA"),
                                     matching.Listed(2, "Jane Doe")])

    assert ["name"] == [m.rule for m in index.match(1, "John", "Smith", "E4 9ZZ")]
    assert "postcode district (E4)" in index.match(1, "John", "Smith", "E4 9ZZ")[0].explanation
    assert [] == index.match(2, "John", "Smith", "N1 1AA")
    assert ["name"] == [m.rule for m in index.match(3, "Doe", "Jane", "N1 1AA")]
