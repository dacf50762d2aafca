from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence"

    def ready(self):
        from evidence import receivers  # noqa: F401, PLC0415 (connects the receivers once the models are loaded)
