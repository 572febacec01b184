"""The first version of the text of the personal-data consent (later versions are added as data)."""

import datetime

from django.db import migrations

TEXT = (
    "Действуя свободно, своей волей и в своём интересе, я даю согласие сетевой организации — оператору "
    "портала технологического присоединения на обработку моих персональных данных: фамилии, имени, "
    "отчества, паспортных данных, СНИЛС, ИНН, адресов регистрации и для переписки, номера телефона, "
    "адреса электронной почты, а также сведений об объекте и о заявке, — в целях рассмотрения заявки на "
    "технологическое присоединение, заключения и исполнения договора, переписки со мной и исполнения "
    "требований законодательства (Правила, утверждённые постановлением Правительства РФ от 27.12.2004 "
    "№ 861). Обработка включает сбор, запись, систематизацию, накопление, хранение, уточнение, "
    "извлечение, использование, передачу (гарантирующему поставщику и органам власти в случаях, "
    "предусмотренных законом), обезличивание, блокирование, удаление и уничтожение, с использованием "
    "средств автоматизации и без них. Согласие действует до достижения целей обработки и истечения "
    "сроков хранения документов по закону и может быть отозвано письменным заявлением (ч. 2 ст. 9 "
    "Федерального закона от 27.07.2006 № 152-ФЗ «О персональных данных»)."
)
TEXT_EN = (
    "Acting freely, of my own will and in my own interest, I consent to the grid organisation operating "
    "the connection portal processing my personal data (name, passport details, SNILS, INN, addresses, "
    "phone, e-mail, and the details of the object and the application) to consider the application for "
    "connection, to conclude and perform the contract, to correspond with me and to comply with the law "
    "(Rules approved by Government Decree No. 861 of 27.12.2004): collection, recording, organisation, "
    "storage, updating, retrieval, use, transfer (to the guaranteeing supplier and to authorities where "
    "the law requires), depersonalisation, blocking, erasure and destruction, with and without "
    "automation. The consent lasts until the purposes are achieved and the legal retention periods "
    "expire, and may be withdrawn by a written statement (Federal Law No. 152-FZ, art. 9 part 2)."
)


def publish(apps, schema_editor):
    ConsentText = apps.get_model("users", "ConsentText")
    ConsentText.objects.get_or_create(
        version="2026-12-01",
        defaults={
            "text": TEXT,
            "text_en": TEXT_EN,
            "published_at": datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("users", "0006_consent")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
