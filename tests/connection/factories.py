"""Factories of the connection domain's money: requisites, and statements written as banks write them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from connection.models import Requisites

#: The example requisites the data migration seeds (their check digits hold).
EXAMPLE_ACCOUNT = "40702810960000012345"


class RequisitesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requisites
        django_get_or_create = ("branch",)

    branch = None
    name = "АО «Сетевая компания (пример)»"
    inn = "2634000004"
    kpp = "263401001"
    ogrn = "1022600000004"
    bank_name = "ПАО «Пример-Банк», г. Ставрополь"
    bic = "040702615"
    correspondent_account = "30101810600000000615"
    settlement_account = EXAMPLE_ACCOUNT
    address = "355000, г. Ставрополь, ул. Примерная, д. 1"
    is_example = True


def client_bank_statement(
    payments: list[dict], *, account: str = EXAMPLE_ACCOUNT, encoding: str = "cp1251"
) -> bytes:
    """A 1CClientBankExchange file (format 1.03) with one incoming payment order per dict
    (number, paid_on, amount, payer, payer_inn, purpose) and one outgoing payment."""
    lines = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        "Отправитель=Бухгалтерия предприятия",
        "Получатель=",
        "ДатаСоздания=05.12.2026",
        "РасчСчет=" + account,
        "СекцияРасчСчет",
        "РасчСчет=" + account,
        "КонецРасчСчет",
    ]
    for payment in payments:
        paid_on: date = payment["paid_on"]
        lines += [
            "СекцияДокумент=Платежное поручение",
            f"Номер={payment.get('number', '17')}",
            f"Дата={paid_on:%d.%m.%Y}",
            f"Сумма={Decimal(payment['amount']):.2f}",
            "ПлательщикСчет=40817810000000000001",
            f"Плательщик={payment.get('payer', 'Петров Пётр Петрович')}",
            f"ПлательщикИНН={payment.get('payer_inn', '0')}",
            f"ПолучательСчет={account}",
            "ПолучательИНН=2634000004",
            f"ДатаПоступило={paid_on:%d.%m.%Y}",
            f"НазначениеПлатежа={payment['purpose']}",
            "КонецДокумента",
        ]
    lines += [
        "СекцияДокумент=Платежное поручение",
        "Номер=900",
        "Дата=05.12.2026",
        "Сумма=1200.00",
        f"ПлательщикСчет={account}",
        "ПолучательСчет=40702810000000000099",
        "НазначениеПлатежа=Оплата канцтоваров",
        "КонецДокумента",
        "КонецФайла",
    ]
    return "\r\n".join(lines).encode(encoding)
