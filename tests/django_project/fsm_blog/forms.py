"""Forms the admin asks for before a transition runs."""

from django import forms


class RenameForm(forms.Form):
    new_title = forms.CharField(max_length=20)
    description = forms.CharField(max_length=50, required=False)


class DecideForm(forms.Form):
    choice = forms.ChoiceField(choices=[("published", "Publish"), ("hidden", "Hide")])
