"""The counting engine: plain Python, never imports Django.

The package itself imports nothing heavy, so that ``rankfile count`` starts
fast; import the modules you need::

    from rankfile.counting.blt import read_blt
    from rankfile.counting.engine import count

See docs/counting.md for the rules, the options and the result schema.
"""

__version__ = "0.1.0"
