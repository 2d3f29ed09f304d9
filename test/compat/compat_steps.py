"""The step recorder shared by the aixplain_*.py drivers (run with ../shared/tools/ax-python).

A driver reads its scenario with `load_scenario()` (the JSON file named on its command line),
runs each SDK call through `step(name, fn, keep)`, which records the call's JSON-able result or
the exception it raised (class, text, and `status_code` when the SDK set one) and the warnings
`keep` selects, then prints everything with `report()`: one JSON object `{"steps": {name: result}}`.
"""

import json
import sys
import warnings

steps = {}


def load_scenario():
    """The scenario the test wrote: the JSON file named by the first argument."""
    with open(sys.argv[1]) as f:
        return json.load(f)


def step(name, fn, keep=lambda w: False, chars=600):
    """Runs fn, storing its result or its exception, and the warnings `keep` selects (each cut to `chars`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            steps[name] = {"ok": True, "value": fn()}
        except Exception as e:  # noqa: BLE001 - every failure is reported to the test
            steps[name] = {"ok": False, "error": type(e).__name__, "message": str(e)[:600],
                           "status": getattr(e, "status_code", None)}
        texts = [str(w.message)[:chars] for w in caught if keep(w)]
        if texts:
            steps[name]["warnings"] = texts
    return steps[name].get("value")


def report():
    """Prints every step as one JSON object on stdout."""
    print(json.dumps({"steps": steps}, default=str))
