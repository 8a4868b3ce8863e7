"""The Celery application: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) and
start workers with ``celery -A meterbill worker``; bill runs then fan out by chunk."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meterbill.settings")

app = Celery("meterbill")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
