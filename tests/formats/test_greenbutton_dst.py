import datetime

from meterbill.formats.greenbutton import LocalTime

# The North American rules as Green Button samples write them: second Sunday of
# March 02:00, first Sunday of November 02:00; Eastern time.
EASTERN = LocalTime(-18000, 3600, 0x360E2000, 0xB40E2000)


def utc(*args: int) -> int:
    return int(datetime.datetime(*args, tzinfo=datetime.UTC).timestamp())


def test_it_starts_the_summer_day_at_four_utc():
    assert EASTERN.day(utc(2013, 7, 1, 3, 59)) == datetime.date(2013, 6, 30)
    assert EASTERN.day(utc(2013, 7, 1, 4, 0)) == datetime.date(2013, 7, 1)


def test_it_starts_the_winter_day_at_five_utc():
    assert EASTERN.day(utc(2013, 1, 2, 4, 59)) == datetime.date(2013, 1, 1)
    assert EASTERN.day(utc(2013, 1, 2, 5, 0)) == datetime.date(2013, 1, 2)


def test_it_switches_on_the_second_sunday_of_march():
    # 10 March 2013 07:00 UTC is 02:00 EST, the switch; 23:30 EDT is 03:30 UTC next day.
    assert EASTERN.day(utc(2013, 3, 11, 3, 30)) == datetime.date(2013, 3, 10)
    assert EASTERN.day(utc(2013, 3, 9, 4, 30)) == datetime.date(2013, 3, 8)
