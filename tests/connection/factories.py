"""Factories of the connection domain: applicants, applications, their documents, tariffs, the
organisation's requisites and bank statements written as banks write them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from connection import services
from connection.completeness import required_documents
from connection.models import Applicant, CommissioningStage, ConnectionRequest, Requisites, Tariff
from tests.backend.factories import UserFactory

# Real, check-digit-valid identifiers (public examples: Sberbank's INN/OGRN; generated SNILS).
VALID = {
    "inn_person": "500100732259",
    "inn_org": "7707083893",
    "ogrn_org": "1027700132195",
    "ogrnip": "304500116000157",
    "kpp": "773601001",
    "snils": "11223344595",
}

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


class ApplicantFactory(factory.django.DjangoModelFactory):
    """An individual with every field the completeness check asks for."""

    class Meta:
        model = Applicant

    owner = factory.SubFactory(UserFactory, role="applicant")
    applicant_type = "individual"
    last_name = "Петров"
    first_name = "Пётр"
    middle_name = "Петрович"
    inn = VALID["inn_person"]
    snils = VALID["snils"]
    passport_series = "0712"
    passport_number = "345678"
    passport_issued_by = "ГУ МВД России по Ставропольскому краю"
    passport_issued_on = datetime.date(2015, 6, 1)
    registration_address = "355000, г. Ставрополь, ул. Ленина, д. 1"
    phone = "+7 900 123-45-67"
    email = "petrov@example.ru"


class LegalEntityFactory(ApplicantFactory):
    applicant_type = "legal_entity"
    last_name = ""
    first_name = ""
    middle_name = ""
    organisation_name = "ООО «Ромашка»"
    inn = VALID["inn_org"]
    ogrn = VALID["ogrn_org"]
    kpp = VALID["kpp"]
    snils = ""
    passport_series = ""
    passport_number = ""
    passport_issued_by = ""
    passport_issued_on = None


class ConnectionRequestFactory(factory.django.DjangoModelFactory):
    """A complete household draft of 15 kW at 0.4 kV (documents come from `with_documents`)."""

    class Meta:
        model = ConnectionRequest
        skip_postgeneration_save = True

    applicant = factory.SubFactory(ApplicantFactory)
    owner = factory.SelfAttribute("applicant.owner")
    object_name = "Жилой дом"
    object_address = "Ставропольский край, г. Михайловск, ул. Полевая, д. 5"
    cadastral_number = "26:11:020101:123"
    latitude = Decimal("45.000000")
    longitude = Decimal("42.000000")
    kind = "new"
    requested_kw = Decimal("15")
    voltage_level = "0.4"
    phases = 3
    reliability_category = "III"
    load_character = "household"
    guaranteeing_supplier = "ПАО «Ставропольэнергосбыт»"
    payment_option = "lump_sum"

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if create:
            CommissioningStage.objects.create(
                request=self, position=1, planned_date=datetime.date(2027, 6, 1), power_kw=self.requested_kw
            )

    @factory.post_generation
    def with_documents(self, create, extracted, **kwargs):
        if create and extracted:
            for doc_type in required_documents(self):
                add_document(self, doc_type)


class TariffFactory(factory.django.DjangoModelFactory):
    """The household tariff of the fee tests: 5 000 RUB/kW preferential, C1 25 000, C2 1 500 000
    per km of overhead line, metering 26 000, VAT included — so 15 kW within 300 m costs 75 000."""

    class Meta:
        model = Tariff

    region = "RU-STA"
    applicant_group = "household"
    valid_from = datetime.date(2024, 1, 1)
    preferential_rate_per_kw = Decimal("5000")
    c1_per_connection = Decimal("25000")
    c2_per_km_overhead = Decimal("1500000")
    metering_cost = Decimal("26000")


def png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def add_document(
    application: ConnectionRequest, doc_type: str, content: bytes = PDF_BYTES, name: str = "scan.pdf"
):
    """A stored document version, written as the service would (for fixtures, not API tests)."""
    return services.upload_document(
        application=application,
        user=application.owner,
        doc_type=doc_type,
        upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
    )


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
        paid_on: datetime.date = payment["paid_on"]
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
