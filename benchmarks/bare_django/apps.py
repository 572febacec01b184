from django.apps import AppConfig


class BareDjangoConfig(AppConfig):
    name = "benchmarks.bare_django"
    label = "bare_django"
    default_auto_field = "django.db.models.BigAutoField"
