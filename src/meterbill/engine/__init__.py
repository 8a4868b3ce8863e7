"""The functional core: pure calculations, no Django and no I/O.

Plain data in, plain data out; every result carries its trace so that any bill line
can be explained (which readings, which estimate, which share, which formula).
"""
