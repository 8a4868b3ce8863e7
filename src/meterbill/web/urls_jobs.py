"""Background jobs: included by web/urls.py, in the "web" namespace."""

from django.urls import path

from . import job_views

urlpatterns = [
    path("jobs/", job_views.jobs, name="jobs"),
    path("jobs/<int:pk>/", job_views.job, name="job"),
    path("jobs/<int:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/resume/", job_views.job_resume, name="job_resume"),
    path("imports/", job_views.import_file, name="import_file"),
    path(
        "periods/<int:period_id>/documents/",
        job_views.documents,
        name="period_documents",
    ),
]
