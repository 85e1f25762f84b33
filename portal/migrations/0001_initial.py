import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.CreateModel(
            name="Access",
            fields=[("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": [
                    ("read", "Can read everything in the portal"),
                    ("operate", "Can chat, run tests and suites, trigger embeddings and clusters"),
                    ("administer", "Can create, edit and delete, promote versions and change canary deploys"),
                ],
            },
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("username", models.CharField(blank=True, max_length=150)),
                ("action", models.CharField(db_index=True, max_length=64)),
                ("resource_type", models.CharField(db_index=True, max_length=64)),
                ("resource_id", models.CharField(blank=True, db_index=True, max_length=200)),
                ("resource_label", models.CharField(blank=True, max_length=300)),
                ("summary", models.TextField(blank=True)),
                ("changes", models.JSONField(blank=True, default=dict)),
                (
                    "outcome",
                    models.CharField(
                        choices=[("success", "Succeeded"), ("failure", "Failed")],
                        db_index=True,
                        default="success",
                        max_length=16,
                    ),
                ),
                ("telnyx_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("telnyx_request_id", models.CharField(blank=True, max_length=200)),
                ("error_message", models.TextField(blank=True)),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "indexes": [
                    models.Index(fields=["resource_type", "resource_id", "-created_at"], name="portal_audi_resourc_19345d_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="SyncState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("resource", models.CharField(max_length=100, unique=True)),
                ("synced_at", models.DateTimeField(blank=True, null=True)),
                ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("lease_until", models.DateTimeField(blank=True, null=True)),
                ("item_count", models.PositiveIntegerField(default=0)),
            ],
        ),
    ]
