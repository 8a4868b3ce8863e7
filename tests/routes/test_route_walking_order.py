from meterbill.metering.routes import build_route


def test_it_lists_stops_by_staircase_floor_and_natural_apartment_number(
    staircase_building, small_building
):
    period = small_building["period"]

    stops = build_route([staircase_building.pk], period)

    assert [(s.staircase, s.apartment, s.meter_serial) for s in stops] == [
        ("A", "1", "C-1"),
        ("A", "1a", "C-1a"),
        ("A", "2", "C-2"),
        ("A", "2", "H-2"),
        ("A", "10", "C-10"),
        ("B", "11", "C-11"),
    ]
    assert [s.walking_order for s in stops] == [1, 2, 3, 4, 5, 6]


def test_it_leaves_out_meters_removed_before_or_installed_after_the_period(
    staircase_building, small_building
):
    period = small_building["period"]

    serials = {s.meter_serial for s in build_route([staircase_building.pk], period)}

    assert "C-OLD" not in serials
    assert "C-NEW" not in serials


def test_it_names_a_blank_register_code_1_and_leaves_out_main_meters(small_building):
    period = small_building["period"]

    stops = build_route([small_building["residence"].pk], period)

    assert [(s.meter_serial, s.register) for s in stops] == [
        ("W1", "1"),
        ("W2", "1"),
        ("W3", "1"),
    ]
