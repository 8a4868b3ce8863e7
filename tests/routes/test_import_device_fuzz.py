from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meterbill.metering.imports import ImportRefused
from meterbill.metering.routes import import_device_result

HEADER = b"meter_serial,register,value,read_at,reader_id,photo_ref,note\n"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=st.binary(max_size=200) | st.binary(max_size=200).map(HEADER.__add__))
def test_it_refuses_or_reports_any_bytes_but_never_crashes(
    small_building, branches, alice, body
):
    try:
        report = import_device_result(body, branches["north"], alice, filename="f")
    except ImportRefused as refused:
        assert str(refused).startswith("f")
    else:
        assert report.rows_read >= report.rows_imported
