from django import forms

from rankfile.core.errors import Refusal
from rankfile.core.forms import form_add_refusal


class NameForm(forms.Form):
    name = forms.CharField()


def _refused(field: str | None) -> NameForm:
    form = NameForm({"name": "Ada"})
    assert form.is_valid()
    form_add_refusal(form, Refusal("Choose another name.", code="taken", field=field))
    return form


def test_it_shows_a_refusal_at_the_field_it_names():
    form = _refused("name")

    assert (["Choose another name."], []) == (form.errors["name"], form.non_field_errors())
    assert "name" not in form.cleaned_data


def test_it_shows_a_refusal_about_a_field_the_form_lacks_above_the_form():
    form = _refused("postcode")

    assert (["Choose another name."], None) == (form.non_field_errors(), form.errors.get("name"))


def test_it_shows_a_refusal_naming_no_field_above_the_form():
    form = _refused(None)

    assert ["Choose another name."] == form.non_field_errors()
    assert not form.is_valid()
