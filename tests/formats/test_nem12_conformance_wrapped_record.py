"""The NEM12 conformance check against nemreader when a 300 record is wrapped over
several lines: the difference is a finding quoting the MDFF clause, not hidden."""

from meterbill.conformance import nem12 as conformance
from meterbill.formats import nem12


def _wrapped_file() -> str:
    ones = ",".join(["1"] * 48)
    twos = ",".join(["2"] * 24)
    threes = ",".join(["3"] * 24)
    return (
        "100,NEM12,200501010000,MDP1,RET1\n"
        "200,NEM0000001,E1,E1,E1,,METER1,KWH,30,\n"
        f"300,20050101,{ones},A,,,20050102000000,\n"
        "300,20050102,\n"  # lines 4-6: one record of 48 values
        f"{twos},\n"
        f"{threes},A,,,20050103000000,\n"
        "900\n"
    )


def test_it_joins_the_wrapped_record_and_counts_its_48_values():
    result = nem12.read(_wrapped_file(), filename="wrapped.csv")

    # Day 1: 48 x 1 = 48 kWh; day 2: 24 x 2 + 24 x 3 = 120 kWh.
    assert [(r.read_on.isoformat(), r.value, r.line) for r in result.rows] == [
        ("2005-01-01", 48, 3),
        ("2005-01-02", 120, 4),
    ]


def test_a_day_nemreader_drops_is_a_finding_with_the_mdff_clause(tmp_path):
    (tmp_path / "nem12").mkdir()
    (tmp_path / "nem12" / "wrapped.csv").write_text(_wrapped_file())

    result = conformance.run(tmp_path)

    # Ours 168 kWh, nemreader 48: the 120 kWh of 2005-01-02 explain it all.
    assert (result.passed, result.total, result.failures) == (1, 1, [])
    [finding] = result.findings
    assert finding.startswith("wrapped.csv: ('NEM0000001', 'E1'): ")
    assert "leaves out 2005-01-02 (120 kWh)" in finding
    assert "lines 4-6" in finding
    assert "1440 divided by the IntervalLength" in finding
