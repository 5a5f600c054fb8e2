"""Task functions of the web tests (importable by worker processes)."""

import time


def double(x):
    return x * 2


def slow(x):
    time.sleep(60)
    return x


def boom(x):
    raise ValueError(f"boom on {x}")


def frame(n):
    import pandas as pd

    return pd.DataFrame({"i": list(range(n)), "square": [i * i for i in range(n)]})


def wave(amplitude):
    """Twelve points of a sine wave of that amplitude (a numeric series to chart)."""
    import math

    return [round(amplitude * math.sin(i / 2), 3) for i in range(12)]


def peaks(*curves):
    """A comparator: each scenario's highest point."""
    return [max(curve) for curve in curves]


def gap(*curves):
    """A comparator: point by point, how far the highest scenario is above the lowest."""
    return [round(max(points) - min(points), 3) for points in zip(*curves, strict=True)]
