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
