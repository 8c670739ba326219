"""Pure data and rules of accord: agreements, calendars (as data), events, clocks, periods.

Standard library only; no I/O. The engine computes with these, the spec layer builds them.
"""
