from django.db import migrations, models


def first_epoch(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("trading", "EngineWriter").objects.create(id=1, epoch=0)


class Migration(migrations.Migration):
    dependencies = [("trading", "0002_orders_trades_fills_ledger")]

    operations = [
        migrations.CreateModel(
            name="EngineWriter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("epoch", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(first_epoch, migrations.RunPython.noop),
    ]
