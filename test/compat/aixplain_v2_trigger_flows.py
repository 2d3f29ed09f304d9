"""Drives aiXplain's real, unmodified Python SDK v2 triggers (`aix.Trigger`) against a hub.

Run with ../shared/tools/ax-python (test/compat/python-v2-triggers.integration.test.ts does):
`aixplain_v2_trigger_flows.py SCENARIO.json`. Time triggers (once, daily, recurring, weekly,
monthly) through POST/GET/PUT/DELETE /v1/triggers and GET /v1/triggers?agentId=; an event
trigger on a connected tool (activate_trigger on the execute endpoint, then /v1/triggers with
its triggerId), and its delete (delete_trigger, then DELETE). Prints one JSON object
`{"steps": {name: result}}`; each step records its result or the exception it raised.
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
    return record(name, fn, keep=lambda w: True, chars=200)


from aixplain import Aixplain  # noqa: E402

aix = Aixplain(api_key=scenario["api_key"], backend_url=scenario["backend_url"], model_url=scenario["model_url"])
agent = scenario["agent_id"]


def view(t):
    return {"id": t.id, "name": t.name, "input": t.input, "asset_id": t.asset_id, "asset_type": t.asset_type,
            "trigger_type": t.trigger_type, "trigger_id": t.trigger_id, "enabled": t.enabled,
            "notifications": t.notifications, "retry_count": t.retry_count,
            "configuration": t.configuration.to_dict() if t.configuration else None,
            "schedule_type": t.schedule_type, "next_run_at": t.next_run_at, "last_run_at": t.last_run_at,
            "created_at": t.created_at, "updated_at": t.updated_at}


created = {}
specs = {
    "once": dict(run_at=scenario["run_at"]),
    "daily": dict(every="day", at="09:00", timezone="Europe/London"),
    "recurring": dict(every="hour", interval=2),
    "weekly": dict(every="week", on=["monday", "thu"], at="17:00", timezone="America/New_York"),
    "monthly": dict(every="month", on=[1, 15], at="08:30"),
}
for label, kw in specs.items():
    t = step(f"create[{label}]", lambda: aix.Trigger(name=f"t-{label}", agent=agent, input=f"Run {label}", **kw).save())
    if t is not None:
        created[label] = t
        # save() keeps read-only fields (nextRunAt, createdAt) local; get() reads them back.
        steps[f"create[{label}]"]["value"] = {**view(aix.Trigger.get(t.id)), "saved_id": t.id}

step("get[daily]", lambda: view(aix.Trigger.get(created["daily"].id)))
step("search[agent]", lambda: sorted(t.name for t in aix.Trigger.search(agent_id=agent).results))
step("list[other_agent]", lambda: [t.name for t in aix.Trigger.list(agent_id="no-such-agent")])


def pause():
    t = aix.Trigger.get(created["recurring"].id)
    t.enabled = False
    t.save()
    return view(aix.Trigger.get(created["recurring"].id))


step("pause[recurring]", pause)
step("bad[past_once]", lambda: aix.Trigger(name="past", agent=agent, input="x", run_at="2001-01-01T00:00:00Z").save().id)
step("bad[timezone]", lambda: aix.Trigger(name="tz", agent=agent, input="x", every="day", at="09:00", timezone="Mars/Olympus").save().id)

# An event trigger on a connected tool: activate_trigger, then POST /v1/triggers with its triggerId.
stripe = step("integration_get[stripe]", lambda: aix.Integration.get(scenario["stripe_path"]))
if stripe is not None:
    steps["integration_get[stripe]"]["value"] = stripe.id
tool = step("connect[stripe]", lambda: stripe.connect(name=scenario["connection_name"], authScheme="API_KEY", data={"api_key": "sk_test_v2_trig"}))
if tool is not None:
    steps["connect[stripe]"]["value"] = tool.id
    option = step("tool_triggers", lambda: tool.triggers["stripe_event"])
    if option is not None:
        steps["tool_triggers"]["value"] = {"slug": option.slug, "connection_id": option.connection_id}
        option.configure(signing_secret=scenario["whsec"], event_types=["invoice.*"])
        ev = step("create[event]", lambda: aix.Trigger(name="On invoice", agent=agent, input="Handle the invoice", event=option).save())
        if ev is not None:
            steps["create[event]"]["value"] = view(ev)
        gone = step("create[event_deleted]", lambda: aix.Trigger(name="Gone", agent=agent, input="x", event=option).save())
        if gone is not None:
            steps["create[event_deleted]"]["value"] = view(gone)
            step("delete[event_deleted]", lambda: gone.delete().status)
            step("get[event_deleted]", lambda: aix.Trigger.get(gone.id).id)
    bad = tool.triggers["STRIPE_EVENT"]
    step("bad[event_config]", lambda: aix.Trigger(name="bad", agent=agent, input="x", event=bad).save().id)

step("delete[once]", lambda: created["once"].delete().status)
step("get[once_deleted]", lambda: aix.Trigger.get(created["once"].id).id)

report()
