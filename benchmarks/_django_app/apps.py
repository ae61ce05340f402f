from __future__ import annotations

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "benchmarks._django_app"
    label = "smbench"
    default_auto_field = "django.db.models.AutoField"
