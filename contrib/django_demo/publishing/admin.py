from django import forms
from django.contrib import admin

from statemachine.contrib.django.admin import StateMachineAdminMixin
from statemachine.contrib.django.audit.admin import TransitionLogInline

from .models import Article


class RejectForm(forms.Form):
    """Asked for before `reject`: its cleaned data become the event's keyword arguments, and
    the audit log keeps `description`."""

    description = forms.CharField(
        label="Why is it rejected?", widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Article)
class ArticleAdmin(StateMachineAdminMixin, admin.ModelAdmin):
    list_display = ["title", "author", "state", "published_at"]
    list_filter = ["state"]
    readonly_fields = ["published_at"]
    inlines = [TransitionLogInline]
    statemachine_event_forms = {"reject": RejectForm}
