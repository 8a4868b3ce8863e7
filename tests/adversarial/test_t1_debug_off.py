"""T1 finding 22: debug pages are off unless asked for, and the AES keys typed into
the meter forms never reach an error report."""

import os
import stat
import subprocess
import sys

from django.test import RequestFactory
from django.views.debug import SafeExceptionReporterFilter
from django.views.defaults import server_error

from meterbill.metering.models import Meter

KEY = "000102030405060708090A0B0C0D0E0F"


def _settings_in(home, **env):
    """DEBUG and SECRET_KEY of the settings module imported afresh in ``home``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("METERBILL_")}
    clean.update(METERBILL_HOME=str(home), **env)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import meterbill.settings as s; print(s.DEBUG); print(s.SECRET_KEY)",
        ],
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    debug, key = out.stdout.split()
    return debug, key


def test_debug_is_off_unless_set(tmp_path):
    assert _settings_in(tmp_path)[0] == "False"
    assert _settings_in(tmp_path, METERBILL_DEBUG="1")[0] == "True"


def test_a_secret_key_is_made_once_and_kept_private(tmp_path):
    first = _settings_in(tmp_path)[1]

    # the same key on the next start, from var/secret_key, readable by its owner only
    assert _settings_in(tmp_path)[1] == first
    assert len(first) >= 50
    mode = stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_the_meter_forms_hide_the_aes_key_from_error_reports(
    small_building, alice, client_for
):
    meter = Meter.objects.get(serial="W1")
    client = client_for(alice)

    for url, field in [
        (f"/meters/{meter.pk}/edit/", "aes_key_new"),
        (f"/meters/{meter.pk}/exchange/", "aes_key"),
    ]:
        response = client.post(url, {field: KEY})
        shown = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
        assert shown[field] == "********************", url


def test_the_error_page_shows_no_trace(db):
    request = RequestFactory().get("/")

    html = server_error(request).content.decode()

    assert "Something went wrong" in html
    assert "Traceback" not in html
