"""Drives aiXplain's real, unmodified Python SDK v1 (`aixplain.factories`) against a hub.

Run with ../shared/tools/ax-python (test/compat/sdk.ts does): `aixplain_v1_flows.py SCENARIO.json`.
v1 is configured only through variables, read once at import: BACKEND_URL, MODELS_RUN_URL and
TEAM_API_KEY (or AIXPLAIN_API_KEY). Every step records its result or the exception it raised;
the script prints one JSON object `{"steps": {name: result}}` on stdout.
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
    return record(name, fn, keep=lambda w: "visit the following URL" in str(w.message), chars=600)


from aixplain.factories import IntegrationFactory, ModelFactory  # noqa: E402
from aixplain.modules.model import Model  # noqa: E402
from aixplain.modules.model.integration import AuthenticationSchema  # noqa: E402
from aixplain.utils import config  # noqa: E402

steps["config"] = {"ok": True, "value": {"backend": config.BACKEND_URL, "models": config.MODELS_RUN_URL, "key": bool(config.TEAM_API_KEY)}}
MCP_INTEGRATION_ID = "686eb9cd26480723d0634d3e"
objects = {}


def response_view(r):
    status = r.status.value if hasattr(r.status, "value") else r.status
    return {"status": status, "completed": r.completed, "data": r.data, "url": getattr(r, "url", None), "error_message": r.error_message}


def use_connection(conn_id, conn):
    label = conn["label"]
    tool = objects[label] = None

    def get():
        t = ModelFactory.get(conn_id)
        objects[label] = t
        return {"cls": type(t).__name__, "repr": repr(t), "name": t.name, "status": t.status.value,
                "function": t.function.value, "version": t.version}

    step(f"model_get[{label}]", get)
    tool = objects[label]
    if tool is None:
        return
    step(f"actions[{label}]", lambda: [[a.code, a.name] for a in tool.actions])
    if conn.get("inspect_action"):
        def inputs():
            got = tool.get_action_inputs(conn["inspect_action"])
            return {"codes": list(got), "required": sorted(c for c, s in got.items() if s.get("required"))}

        step(f"action_inputs[{label}]", inputs)
    for run in conn.get("runs", []):
        tag = f"{label}:{run.get('tag', run['action'])}"
        if run.get("mode", "sync") == "sync":
            step(f"run[{tag}]", lambda: response_view(tool.run(run["action"], run.get("inputs", {}))))
            continue
        ack = step(f"run_async[{tag}]", lambda: tool.run_async({"action": run["action"], "data": run.get("inputs", {})}))
        if ack is None:
            continue
        steps[f"run_async[{tag}]"]["value"] = response_view(ack)
        step(f"poll[{tag}]", lambda: response_view(tool.poll(ack.url)))
        step(f"sync_poll[{tag}]", lambda: response_view(tool.sync_poll(ack.url, timeout=30, wait_time=0.2)))
    if conn.get("delete", True):
        step(f"delete[{label}]", lambda: tool.delete() or conn_id)
        step(f"deleted_get[{label}]", lambda: repr(ModelFactory.get(conn_id)))
        step(f"run_after_delete[{label}]", lambda: response_view(tool.run(tool.actions[0].code if tool.actions else "X", {})))


mode = scenario["mode"]

if mode == "echo":
    step("integration_list", lambda: (lambda r: {"total": r["total"], "page_total": r["page_total"], "page_number": r["page_number"],
         "classes": sorted({type(m).__name__ for m in r["results"]}), "names": [m.name for m in r["results"]]})(
        IntegrationFactory.list(query=scenario["query"], page_size=5)))
    integration = step("integration_get_by_name", lambda: IntegrationFactory.get(name=scenario["integration"]))
    if integration is not None:
        steps["integration_get_by_name"]["value"] = {"repr": repr(integration), "id": integration.id}
        step("integration_get_by_id", lambda: repr(IntegrationFactory.get(model_id=integration.id)))
        step("integration_get_by_path", lambda: IntegrationFactory.get(model_id=scenario["integration_path"]).id)
        step("authentication_methods", lambda: integration.authentication_methods)
        step("error_unsupported_scheme", lambda: integration.connect(AuthenticationSchema(scenario["unsupported_scheme"]), data={}, name="never-created"))
        mp = scenario["missing_parameter"]
        step("error_missing_parameter", lambda: integration.connect(AuthenticationSchema(mp["scheme"]), data=dict(mp["data"]), name="never-created"))
        for conn in scenario["connections"]:
            def connect():
                r = integration.connect(AuthenticationSchema(conn["scheme"]), data=dict(conn["data"]), name=conn["name"], description=conn.get("description"))
                return response_view(r)

            res = step(f"connect[{conn['label']}]", connect)
            if res and isinstance(res.get("data"), dict) and res["data"].get("id"):
                use_connection(res["data"]["id"], conn)
    step("error_model_get_404", lambda: repr(ModelFactory.get(scenario["model_get_404"])))
    step("error_integration_name_missing", lambda: repr(IntegrationFactory.get(name=scenario["integration_name_missing"])))

elif mode == "unauthorized":
    step("unauthorized_list", lambda: IntegrationFactory.list()["total"])
    step("unauthorized_get", lambda: repr(ModelFactory.get(scenario["integration_id"])))
    step("unauthorized_run", lambda: response_view(Model(scenario["integration_id"]).run({"action": "LIST_ACTIONS", "data": " "})))

elif mode == "oauth_connect":
    integration = IntegrationFactory.get(name=scenario["integration"])
    step("oauth_connect", lambda: response_view(integration.connect(AuthenticationSchema(scenario["scheme"]), name=scenario["name"])))

elif mode == "existing_connection":
    use_connection(scenario["connection"]["id"], scenario["connection"])

elif mode == "mcp":
    mcp = step("mcp_integration_get", lambda: IntegrationFactory.get(model_id=MCP_INTEGRATION_ID))
    if mcp is not None:
        steps["mcp_integration_get"]["value"] = repr(mcp)
        res = step("mcp_connect", lambda: response_view(mcp.connect(data={"url": scenario["url"]})))
        if res and isinstance(res.get("data"), dict):
            conn_id = res["data"]["id"]
            tool = step("mcp_model_get", lambda: ModelFactory.get(conn_id))
            if tool is not None:
                steps["mcp_model_get"]["value"] = {"cls": type(tool).__name__, "function_type": tool.function_type.value}
                step("mcp_actions", lambda: sorted(a.code for a in tool.actions))
                # MCPConnection.get_action_inputs reads `action.inputs` first, so the SDK itself needs the
                # ConnectAction here (a plain code string raises AttributeError inside the SDK).
                step("mcp_action_inputs", lambda: sorted(tool.get_action_inputs(next(a for a in tool.actions if a.code == scenario["tool"]))))
                step("mcp_run", lambda: response_view(tool.run(scenario["tool"], scenario["inputs"])))
                step("mcp_run_failing", lambda: response_view(tool.run(scenario["failing_tool"], {})))
                step("mcp_delete", lambda: tool.delete() or conn_id)
                step("mcp_deleted_get", lambda: repr(ModelFactory.get(conn_id)))

report()
