"""A small Green Button feed written in the tests: one usage point, one meter
reading, one reading type and one interval block."""

R = "https://dc.example/espi/1_1/resource/RetailCustomer/9/UsagePoint/1"
JAN_1 = 1293840000  # 2011-01-01 00:00 UTC


def feed(readings: str, multiplier: str = "0", uom: str = "72", local: str = "") -> str:
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
{local}
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:powerOfTenMultiplier>{multiplier}</e:powerOfTenMultiplier><e:uom>{uom}</e:uom>
<e:intervalLength>3600</e:intervalLength></e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>"""


def reading(start: int, value: str, duration: int = 3600, quality: str = "") -> str:
    q = f"<e:ReadingQuality><e:quality>{quality}</e:quality></e:ReadingQuality>"
    return (
        f"<e:IntervalReading>{q if quality else ''}<e:timePeriod>"
        f"<e:duration>{duration}</e:duration><e:start>{start}</e:start>"
        f"</e:timePeriod><e:value>{value}</e:value></e:IntervalReading>"
    )
