from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("statemachine_audit", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(
            name="transitionlog",
            options={
                "ordering": ["timestamp", "id"],
                "verbose_name": "transition log entry",
                "verbose_name_plural": "transition log entries",
            },
        ),
        migrations.AddField(
            model_name="transitionlog",
            name="kind",
            field=models.CharField(
                choices=[("transition", "Transition"), ("repair", "Repair")],
                default="transition",
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="transitionlog",
            name="event",
            field=models.CharField(blank=True, max_length=255, verbose_name="event"),
        ),
    ]
