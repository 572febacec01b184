"""drf-spectacular's command with English as the default language of the generated schema, so that
`manage.py spectacular` and `make schema` write the same committed file (field names are English;
the served /api/schema/ still follows the request's language)."""

from drf_spectacular.management.commands.spectacular import Command as SpectacularCommand


class Command(SpectacularCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(lang="en")
