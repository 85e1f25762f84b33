"""Create the Viewer, Operator and Admin groups with their capability permissions."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "Viewer": ["read"],
    "Operator": ["read", "operate"],
    "Admin": ["read", "operate", "administer"],
}
NAMES = {
    "read": "Can read everything in the portal",
    "operate": "Can chat, run tests and suites, trigger embeddings and clusters",
    "administer": "Can create, edit and delete, promote versions and change canary deploys",
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally made after migrate; make them now so the groups can hold them.
    content_type, _ = ContentType.objects.get_or_create(app_label="portal", model="access")
    perms = {
        codename: Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in NAMES.items()
    }
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*(perms[c] for c in codenames))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
