from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.web"
    label = "web"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login audit receivers)
