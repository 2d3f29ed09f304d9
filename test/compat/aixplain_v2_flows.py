"""Drives aiXplain's real, unmodified Python SDK v2 (`from aixplain import Aixplain`) against a hub.

Run with ../shared/tools/ax-python (test/compat/sdk.ts does): `aixplain_v2_flows.py SCENARIO.json`.
The scenario's `config` is "args" (Aixplain(api_key=…, backend_url=…, model_url=…), with no
variables set) or "env" (TEAM_API_KEY, BACKEND_URL, MODELS_RUN_URL set by the caller, Aixplain()).
Every step records either its result or the exception it raised, so one failing call does not
hide the others; the script prints one JSON object `{"steps": {name: result}}` on stdout.
"""

import json

import os
import sys

# ax-python runs drivers with runpy, which does not put their folder on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compat_steps import load_scenario, report, steps  # noqa: E402
from compat_steps import step as record  # noqa: E402

scenario = load_scenario()


def step(name, fn):
    """Runs fn through compat_steps.step, keeping this driver's warnings."""
    return record(name, fn, keep=lambda w: "redirect" in str(w.message) or "visit" in str(w.message), chars=600)


from aixplain import Aixplain  # noqa: E402
from aixplain.v2.exceptions import APIError  # noqa: E402,F401

if scenario["config"] == "args":
    aix = Aixplain(api_key=scenario["api_key"], backend_url=scenario["backend_url"], model_url=scenario["model_url"])
else:
    aix = Aixplain()
steps["config"] = {"ok": True, "value": {"backend": aix.backend_url, "models": aix.model_url, "key": bool(aix.api_key)}}


def tool_view(t):
    return {"id": t.id, "name": t.name, "status": t.status.value if t.status else None,
            "integration_id": t.integration_id, "function_type": t.function_type,
            "redirect_url": t.redirect_url, "description": t.description}


def result_view(r):
    return {"status": r.status, "completed": r.completed, "data": r.data, "url": r.url,
            "error_message": r.error_message}


mode = scenario["mode"]

if mode == "echo":
    iid = scenario["integration_id"]
    integration = step("integration_get", lambda: aix.Integration.get(iid))
    if integration is not None:
        steps["integration_get"]["value"] = {
            "id": integration.id, "name": integration.name, "status": integration.status.value,
            "path": integration.path, "function_type": integration.function_type,
            "auth_schemes": json.loads(integration.attributes["auth_schemes"]),
            "connection_type": integration.connection_type,
        }
    step("integration_get_by_path", lambda: aix.Integration.get(scenario["integration_path"]).id)
    step("integration_search", lambda: (lambda p: {"total": p.total, "page_total": p.page_total,
         "names": [i.name for i in p.results]})(aix.Integration.search(query=scenario["query"])))
    step("integration_list_actions", lambda: [a.name for a in integration.list_actions()])
    step("integration_list_trigger_types", lambda: [{"slug": t.slug, "name": t.name, "type": t.type, "config": t.config, "payload": t.payload} for t in integration.list_trigger_types()])
    step("integration_get_unknown", lambda: aix.Integration.get("0123456789abcdef01234567").id)

    tools = {}
    for c in scenario["connections"]:
        label = c["label"]
        kwargs = {"name": c["name"], "data": c["data"]}
        if c.get("scheme"):
            kwargs["authScheme"] = c["scheme"]
        tool = step(f"connect[{label}]", lambda: integration.connect(**kwargs))
        if tool is None:
            continue
        tools[label] = tool
        steps[f"connect[{label}]"]["value"] = tool_view(tool)
        step(f"tool_get[{label}]", lambda: tool_view(aix.Tool.get(tool.id)))
        step(f"list_actions[{label}]", lambda: [a.name for a in tool.list_actions()])
        for run in c.get("runs", []):
            tag = f"{label}:{run.get('tag', run['action'])}"
            step(f"run[{tag}]", lambda: result_view(tool.run(action=run["action"], data=run["data"])))

    t = tools.get("bearer")
    if t is not None:
        step("inputs", lambda: {"keys": t.actions["ECHO_GET_ITEM"].inputs.keys(),
                                "required": t.actions["ECHO_GET_ITEM"].inputs.required})

        def run_async():
            started = t.run_async(action="ECHO_GET_ITEM", data={"item_id": "a1"})
            done = t.sync_poll(started.url, timeout=30, wait_time=0.2)
            return {"started": result_view(started), "done": result_view(done)}

        step("run_async", run_async)
        step("tool_search", lambda: (lambda p: {"total": p.total, "page_total": p.page_total,
             "names": sorted(x.name for x in p.results)})(aix.Tool.search()))
        step("model_get_integration", lambda: (lambda m: {"cls": type(m).__name__, "id": m.id, "function_type": m.function_type,
             "function": m.function.value if m.function else None})(aix.Model.get(scenario["integration_id"])))
        step("model_get_tool", lambda: (lambda m: {"cls": type(m).__name__, "id": m.id, "function_type": m.function_type,
             "connection_type": m.connection_type})(aix.Model.get(t.id)))
        step("tool_list_trigger_types", lambda: [x.slug for x in t.list_trigger_types()] + [x for x in t.triggers])

        def rename():
            t.name = scenario["rename_to"]
            t.save()
            again = aix.Tool.get(t.id)
            return {"name": again.name, "description": again.description}

        step("save_rename", rename)

        def reconnect():
            t.config = {"data": scenario["reconnect_data"]}
            t.save()
            again = aix.Tool.get(t.id)
            ran = t.run(action="ECHO_GET_ITEM", data={"item_id": "r1"})
            return {"id": t.id, "name": again.name, "status": again.status.value, "run": result_view(ran)}

        step("reconnect", reconnect)

    for label, tool in tools.items():
        tid = tool.id
        step(f"delete[{label}]", lambda: tool.delete().status)
        step(f"deleted_get[{label}]", lambda: aix.Tool.get(tid).id)

elif mode == "oauth_connect":
    integration = aix.Integration.get(scenario["integration_id"])
    tool = step("connect", lambda: tool_view(integration.connect(name=scenario["name"])))

elif mode == "oauth_after":
    tool = step("tool_get", lambda: aix.Tool.get(scenario["tool_id"]))
    if tool is not None:
        steps["tool_get"]["value"] = tool_view(tool)
        step("list_actions", lambda: [a.name for a in tool.list_actions()])
        step("run", lambda: result_view(tool.run(action=scenario["action"], data=scenario["data"])))
        step("delete", lambda: tool.delete().status)
        step("deleted_get", lambda: aix.Tool.get(scenario["tool_id"]).id)

elif mode == "mcp":
    integration = step("integration_get", lambda: aix.Integration.get(scenario["integration_id"]))
    tool = step("connect", lambda: integration.connect(data={"url": scenario["url"]}))
    if tool is not None:
        steps["connect"]["value"] = tool_view(tool)
        step("list_actions", lambda: [a.name for a in tool.list_actions()])
        step("inputs", lambda: tool.actions[scenario["tool"]].inputs.keys())
        step("run", lambda: result_view(tool.run(action=scenario["tool"], data=scenario["inputs"])))
        tid = tool.id
        step("delete", lambda: tool.delete().status)
        step("deleted_get", lambda: aix.Tool.get(tid).id)

elif mode == "orphan":
    # The connect succeeds, then its follow-up read (GET v2/tools/{id}) fails once on the way (a
    # dropped connection, simulated in this script's own client): the user must still see the new
    # tool in Tool.search, read it, and delete it.
    import requests

    integration = aix.Integration.get(scenario["integration_id"])
    original = aix.client.request
    state = {"failed": False}

    def flaky(method, path, **kw):
        if method.lower() == "get" and path.startswith("v2/tools/") and not state["failed"]:
            state["failed"] = True
            raise requests.ConnectionError("connection dropped (simulated by the test)")
        return original(method, path, **kw)

    aix.client.request = flaky
    step("connect", lambda: integration.connect(name=scenario["name"], data=scenario["data"]).id)
    aix.client.request = original
    found = step("tool_search", lambda: [(t.id, t.name, t.status.value) for t in aix.Tool.search(query=scenario["name"]).results])
    if found:
        tid = found[0][0]
        step("tool_get", lambda: aix.Tool.get(tid).name)
        step("connect_again", lambda: integration.connect(name=scenario["name"], data=scenario["data"]).id)
        step("delete", lambda: aix.Tool.get(tid).delete().status)
        step("tool_search_after", lambda: aix.Tool.search(query=scenario["name"]).total)

report()
