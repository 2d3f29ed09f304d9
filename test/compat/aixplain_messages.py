"""What aiXplain's real, unmodified Python SDK shows for three failures (issue 11 item 16).

Run with ../shared/tools/ax-python (test/compat/sdk.ts does): `aixplain_messages.py SCENARIO.json`.
For the SDK named by the scenario's `sdk` ("v1": `aixplain.factories`, configured by BACKEND_URL,
MODELS_RUN_URL and TEAM_API_KEY; "v2": `Aixplain()`, the same variables): a run on a PENDING
connection, a run on an MCP connection whose server refuses the token, and a poll of an unknown
run. Each step records what the SDK returned (status, error_message) or the exception it raised
(class and text); the script prints one JSON object `{"steps": {name: result}}` on stdout.
"""

import os
import sys

# ax-python runs drivers with runpy, which does not put their folder on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_steps import load_scenario, report, steps  # noqa: E402
from compat_steps import step as record  # noqa: E402

scenario = load_scenario()


def step(name, fn):
    """Runs fn through compat_steps.step, keeping this driver's warnings."""
    return record(name, fn, keep=lambda w: not issubclass(w.category, DeprecationWarning), chars=600)


def view(r):
    status = r.status.value if hasattr(r.status, "value") else r.status
    return {"status": status, "completed": r.completed, "error_message": r.error_message}


if scenario["sdk"] == "v1":
    from aixplain.factories import ModelFactory

    pending = ModelFactory.get(scenario["pending_id"])
    step("pending_run", lambda: view(pending.run(scenario["pending_action"], {"id": "1"})))
    # v1 reads the actions of an MCP connection in ModelFactory.get: the refusal surfaces there.
    step("refused_run", lambda: view(ModelFactory.get(scenario["refused_id"]).run(scenario["refused_action"], {"a": 1, "b": 2})))
    step("unknown_poll", lambda: view(pending.poll(scenario["unknown_poll_url"])))
else:
    from aixplain import Aixplain

    aix = Aixplain()
    pending = aix.Tool.get(scenario["pending_id"])
    step("pending_run", lambda: view(pending.run(action=scenario["pending_action"], data={"id": "1"})))
    step("refused_run", lambda: view(aix.Tool.get(scenario["refused_id"]).run(action=scenario["refused_action"], data={"a": 1, "b": 2})))
    step("unknown_poll", lambda: view(pending.poll(scenario["unknown_poll_url"])))

report()
