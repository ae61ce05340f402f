"""The admin of the django-fsm models, written as django-fsm-2's README writes it (only the
import line changed)."""

from django.contrib import admin

from statemachine.contrib.django.audit.admin import TransitionLogInline
from statemachine.contrib.django.fsm.admin import FSMAdminMixin

from .forms import DecideForm
from .models import BlogPost, TwoFields


@admin.register(BlogPost)
class BlogPostAdmin(FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    fsm_forms = {"decide": DecideForm}
    inlines = [TransitionLogInline]


@admin.register(TwoFields)
class TwoFieldsAdmin(FSMAdminMixin, admin.ModelAdmin):
    pass
