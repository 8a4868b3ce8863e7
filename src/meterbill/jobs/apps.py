from django.apps import AppConfig


class Config(AppConfig):
    name = "meterbill.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
