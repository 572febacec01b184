from django.apps import AppConfig


class ApiSchemaConfig(AppConfig):
    name = "api_schema"
    verbose_name = "OpenAPI schema"

    def ready(self) -> None:
        # drf-spectacular finds extensions by import; importing here registers them.
        from api_schema import extensions  # noqa: F401
