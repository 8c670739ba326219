"""Calendars, clocks and compliance as NumPy kernels: pure computation, no I/O."""
