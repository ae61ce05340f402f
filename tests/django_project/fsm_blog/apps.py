from django.apps import AppConfig


class FsmBlogConfig(AppConfig):
    name = "fsm_blog"
    label = "fsm_blog"
    default_auto_field = "django.db.models.BigAutoField"
