"""The company's default requisites, filled with example values (marked as such): invoices can be
issued on a fresh portal, and say that they are an example until an administrator enters the real
requisites in the admin."""

from django.db import migrations

EXAMPLE = {
    "name": "АО «Сетевая компания (пример)»",
    "inn": "2634000004",
    "kpp": "263401001",
    "ogrn": "1022600000004",
    "bank_name": "ПАО «Пример-Банк», г. Ставрополь",
    "bic": "040702615",
    "correspondent_account": "30101810600000000615",
    "settlement_account": "40702810960000012345",
    "address": "355000, г. Ставрополь, ул. Примерная, д. 1",
    "is_example": True,
}


def add_example(apps, schema_editor):
    Requisites = apps.get_model("connection", "Requisites")
    if not Requisites.objects.filter(branch__isnull=True).exists():
        Requisites.objects.create(branch=None, **EXAMPLE)


class Migration(migrations.Migration):
    dependencies = [("connection", "0012_payments")]

    operations = [migrations.RunPython(add_example, migrations.RunPython.noop)]
