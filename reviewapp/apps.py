from django.apps import AppConfig


class ReviewappConfig(AppConfig):
    name = "reviewapp"
    verbose_name = "Review"

    def ready(self):
        from reviewapp import accounts  # noqa: F401, PLC0415 (connects the sign-in receivers)
