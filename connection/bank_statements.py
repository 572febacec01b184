"""Reading bank statements: the 1CClientBankExchange text format every Russian bank exports
(Windows-1251 or DOS code page; `Key=Value` lines, one `СекцияДокумент` … `КонецДокумента` per
payment order) and a CSV export (the csv module; Russian or English column names). Pure: bytes in,
entries out; a file that cannot be read raises StatementFormatError naming the line and the key.

No maintained PyPI package reads the 1C exchange format, and it is a plain key-value list, so it is
read here by its published description (1С:Предприятие — «Клиент банка», format version 1.03)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from backend.exceptions import DomainError

CLIENT_BANK_HEADER = "1CClientBankExchange"
#: The largest statement accepted (a month of a busy branch is far below it).
MAX_STATEMENT_BYTES = 10 * 1024 * 1024


class StatementFormatError(DomainError):
    """The file is not a statement this portal reads; the message says where and why."""

    default_code = "statement_format"


@dataclass(frozen=True)
class StatementEntry:
    """One incoming payment as the bank reports it."""

    document_number: str
    paid_on: date
    amount_rub: Decimal
    payer_name: str
    payer_inn: str
    payer_account: str
    purpose: str

    @property
    def fingerprint(self) -> str:
        """The same payment in any later statement gives the same fingerprint."""
        parts = [
            self.paid_on.isoformat(),
            self.document_number.strip(),
            f"{self.amount_rub:.2f}",
            self.payer_inn.strip(),
            self.payer_account.strip(),
            " ".join(self.purpose.split()).casefold(),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class ParsedStatement:
    file_format: str  # "1c" or "csv"
    entries: list[StatementEntry]
    outgoing: int  # documents of the statement that are not payments to the grid organisation


def _date(text: str, where: str) -> date:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise StatementFormatError(
        _("%(where)s: “%(value)s” is not a date (dd.mm.yyyy).") % {"where": where, "value": text}
    )


def _amount(text: str, where: str) -> Decimal:
    cleaned = re.sub(r"[\s\u00a0]", "", text or "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise StatementFormatError(
            _("%(where)s: “%(value)s” is not an amount of roubles (for example 75000.00).")
            % {"where": where, "value": text}
        )
    return amount


def parse_statement(content: bytes) -> ParsedStatement:
    """Read a statement in either format (recognised by its first line)."""
    if not content.strip():
        raise StatementFormatError(_("The file is empty."))
    if len(content) > MAX_STATEMENT_BYTES:
        raise StatementFormatError(_("The file is larger than 10 MB."))
    if content.lstrip(b"\xef\xbb\xbf").lstrip().startswith(CLIENT_BANK_HEADER.encode()):
        return parse_client_bank(content)
    return parse_csv(content)


def _decode_client_bank(content: bytes) -> str:
    if "Кодировка=DOS".encode("cp866") in content:
        return content.decode("cp866", errors="replace")
    try:
        return content.decode("utf-8-sig")  # some tools save the exchange file as UTF-8
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="replace")  # the format's own encoding


def _inn(value: str) -> str:
    # Banks write 0 for a payer without an INN (most private persons).
    value = (value or "").strip()
    return "" if set(value) <= {"0"} else value


def parse_client_bank(content: bytes) -> ParsedStatement:
    text = _decode_client_bank(content)
    lines = text.splitlines()
    first = next((index for index, line in enumerate(lines) if line.strip()), 0)
    if lines[first].strip().lstrip("\ufeff") != CLIENT_BANK_HEADER:
        raise StatementFormatError(_("Line 1: the file does not begin with 1CClientBankExchange."))
    statement_accounts: set[str] = set()
    documents: list[tuple[int, dict[str, str]]] = []
    current: dict[str, str] | None = None
    opened_at = 0
    for number, raw in enumerate(lines[first + 1 :], start=first + 2):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("СекцияДокумент"):
            if current is not None:
                raise StatementFormatError(
                    _(
                        "Line %(line)s: a new document begins before КонецДокумента of the one on line %(opened)s."
                    )
                    % {"line": number, "opened": opened_at}
                )
            current, opened_at = {}, number
            continue
        if line == "КонецДокумента":
            if current is None:
                raise StatementFormatError(
                    _("Line %(line)s: КонецДокумента without СекцияДокумент.") % {"line": number}
                )
            documents.append((opened_at, current))
            current = None
            continue
        if line == "КонецФайла":
            break
        key, separator, value = line.partition("=")
        if not separator:
            if line in ("СекцияРасчСчет", "КонецРасчСчет"):
                continue
            raise StatementFormatError(
                _("Line %(line)s: expected Key=Value, found “%(text)s”.")
                % {"line": number, "text": line[:60]}
            )
        if current is not None:
            current[key.strip()] = value.strip()
        elif key.strip() == "РасчСчет":
            statement_accounts.add(value.strip())
    if current is not None:
        raise StatementFormatError(
            _("Line %(line)s: the document is not closed by КонецДокумента.") % {"line": opened_at}
        )
    entries: list[StatementEntry] = []
    outgoing = 0
    for opened, fields in documents:
        receiver = fields.get("ПолучательСчет") or fields.get("ПолучательРасчСчет", "")
        if statement_accounts and receiver not in statement_accounts:
            outgoing += 1  # paid from the statement's account, not to it
            continue
        where = _("Document on line %(line)s") % {"line": opened}
        for required in ("Дата", "Сумма"):
            if not fields.get(required):
                raise StatementFormatError(
                    _("%(where)s: the key %(key)s is missing.") % {"where": where, "key": required}
                )
        entries.append(
            StatementEntry(
                document_number=fields.get("Номер", ""),
                paid_on=_date(fields.get("ДатаПоступило") or fields["Дата"], f"{where}, ДатаПоступило/Дата"),
                amount_rub=_amount(fields["Сумма"], f"{where}, Сумма"),
                payer_name=fields.get("Плательщик1") or fields.get("Плательщик", ""),
                payer_inn=_inn(fields.get("ПлательщикИНН", "")),
                payer_account=fields.get("ПлательщикСчет") or fields.get("ПлательщикРасчСчет", ""),
                purpose=fields.get("НазначениеПлатежа", ""),
            )
        )
    return ParsedStatement(file_format="1c", entries=entries, outgoing=outgoing)


#: Column names a CSV export may use for each field (compared case-insensitively).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "paid_on": ("date", "дата", "дата поступления", "дата операции"),
    "document_number": ("number", "номер", "номер документа"),
    "amount_rub": ("amount", "сумма", "сумма поступления"),
    "payer_name": ("payer", "payer_name", "плательщик"),
    "payer_inn": ("payer_inn", "инн плательщика"),
    "payer_account": ("payer_account", "счёт плательщика", "счет плательщика"),
    "purpose": ("purpose", "назначение платежа", "назначение"),
}
CSV_REQUIRED = ("paid_on", "amount_rub", "purpose")


def parse_csv(content: bytes) -> ParsedStatement:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1251", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        raise StatementFormatError(
            _("The file is neither a 1CClientBankExchange statement nor a CSV table with a header row.")
        ) from None
    reader = csv.reader(io.StringIO(text), dialect)
    header = [cell.strip().casefold() for cell in next(reader, [])]
    columns: dict[str, int] = {}
    for field, names in CSV_COLUMNS.items():
        for index, cell in enumerate(header):
            if cell in names:
                columns[field] = index
                break
    missing = [" / ".join(CSV_COLUMNS[field][:2]) for field in CSV_REQUIRED if field not in columns]
    if missing:
        raise StatementFormatError(
            _("Line 1: the CSV header lacks the columns %(columns)s.") % {"columns": ", ".join(missing)}
        )
    entries = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row=row) -> str:
            index = columns.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        where = _("Line %(line)s, column “%(column)s”")
        entries.append(
            StatementEntry(
                document_number=cell("document_number"),
                paid_on=_date(
                    cell("paid_on"), where % {"line": number, "column": header[columns["paid_on"]]}
                ),
                amount_rub=_amount(
                    cell("amount_rub"), where % {"line": number, "column": header[columns["amount_rub"]]}
                ),
                payer_name=cell("payer_name"),
                payer_inn=_inn(cell("payer_inn")),
                payer_account=cell("payer_account"),
                purpose=cell("purpose"),
            )
        )
    return ParsedStatement(file_format="csv", entries=entries, outgoing=0)
