from django.apps import AppConfig


class SharedToolsConfig(AppConfig):
    name = "shared_tools"
    verbose_name = "Shared tools"
