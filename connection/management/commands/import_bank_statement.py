"""Import a bank statement dropped by the bank integration (1CClientBankExchange or CSV): full
matches are recorded as payments, the rest waits for branch staff. A file that cannot be read
exits with code 2 and says where and why; importing the same file again records nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from connection import payments
from connection.bank_statements import MAX_STATEMENT_BYTES, StatementFormatError
from grid.models import Branch

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Import a bank statement file (1CClientBankExchange text or CSV) and match it to open invoices."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the statement file")
        parser.add_argument(
            "--branch",
            help="code of the branch the statement is for (default: match invoices of every branch)",
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        branch = None
        if options["branch"]:
            branch = Branch.objects.filter(code=options["branch"]).first()
            if branch is None:
                raise CommandError(
                    f"There is no branch with the code {options['branch']!r}.", returncode=BAD_INPUT
                )
        try:
            if path.stat().st_size > MAX_STATEMENT_BYTES:
                raise CommandError(f"{path}: larger than {MAX_STATEMENT_BYTES} bytes.", returncode=BAD_INPUT)
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}", returncode=BAD_INPUT) from error
        try:
            result = payments.import_statement(content=content, file_name=path.name, user=None, branch=branch)
        except StatementFormatError as error:
            raise CommandError(f"{path}: {error.message}", returncode=BAD_INPUT) from error
        self.stdout.write(
            f"{path.name}: {result.new_lines} new payment(s), {result.matched} recorded, "
            f"{result.needs_attention} waiting for a person, {result.already_imported} imported before, "
            f"{result.outgoing} outgoing skipped."
        )
