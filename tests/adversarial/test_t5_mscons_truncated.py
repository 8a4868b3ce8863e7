"""T5: an MSCONS file cut inside a segment (a transfer stopped half-way) was
rejected as "EDIFACT syntax error (Unexpected end of EDI messages.)", naming
neither the line nor what was read last; the user could not tell a truncated
file from a broken one."""

from __future__ import annotations

import pytest

from formats.test_mscons_reader import interchange, quantity
from meterbill.formats import mscons
from meterbill.formats.errors import InvalidFormat


def test_a_file_cut_inside_a_segment_names_the_last_segment_read():
    data = interchange(quantity("202202282300", "202202282315", "1"))
    cut = data.index("UNT") + 3  # inside UNT: its terminator is gone

    with pytest.raises(InvalidFormat) as raised:
        mscons.read(data[:cut], filename="cut.edi")

    segments = data[: data.index("UNT")].count("'")
    assert raised.value.line == segments + 1
    assert f"after segment {segments} (DTM)" in str(raised.value)
    assert str(raised.value).startswith(f"cut.edi:{segments + 1}: ")
