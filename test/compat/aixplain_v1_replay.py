#!/usr/bin/env python3
"""Replays what aiXplain's official Python SDK (v1 API) does on the wire, for Patchbay's compat tests.

Why: the real `aixplain` package cannot be installed where Patchbay's tests run (no PyPI), yet a user
must be able to point it at a Patchbay hub and use it unchanged. This script re-creates, step by step,
the requests the SDK's v1 integration code sends (URL, method, headers, body bytes) and the checks it
applies to the answers (which keys it indexes, which enums it builds, which statuses it accepts), so a
hub answer the SDK would choke on makes this script fail at the same step. It is written for Patchbay
from a reading of the SDK; no SDK code is included. Only the standard library and `requests` (which
the SDK itself uses) are needed.

Upstream behaviour mirrored (repository aixplain/aiXplain, Apache-2.0; file @ the stored commit read):
  aixplain/utils/config.py @0117d55a                     env vars read once at import; key normalisation
  aixplain/utils/request_utils.py @a714bbf4              _request_with_retry (fresh Session, https-only retries)
  aixplain/exceptions/types.py @242ddbcd                 get_error_from_status_code (messages of §4.6)
  aixplain/v1/enums/generated_enums.py @461e56bd         Function, Supplier (and Supplier.__str__)
  aixplain/v1/enums/{function_type,asset_status,response_status}.py
  aixplain/v1/modules/asset.py @78cf03c8                 Asset.__init__ supplier coercion
  aixplain/v1/modules/model/__init__.py @3a73db51        Model.run / run_async / poll / sync_poll / delete / __repr__
  aixplain/v1/modules/model/utils.py @86a25496           build_payload, call_run_endpoint
  aixplain/v1/modules/model/response.py @af6c3416        ModelResponse
  aixplain/v1/modules/model/integration.py @2468bb22     AuthenticationSchema, build_connector_params, Integration
  aixplain/v1/modules/model/connection.py @23be5585      ConnectAction, ConnectionTool
  aixplain/v1/modules/model/mcp_connection.py @4be7f61e  MCPConnection
  aixplain/v1/factories/file_factory.py @4b05fc78        FileFactory.to_link (detection only)
  aixplain/v1/factories/model_factory/utils.py @78cf03c8 create_model_from_response, get_assets_from_page
  aixplain/v1/factories/model_factory/mixins/model_getter.py @515a133a  get, _fetch_model_by_id
  aixplain/v1/factories/model_factory/mixins/model_list.py @78cf03c8    list
  aixplain/v1/factories/integration_factory.py @ce75817a IntegrationFactory.get / list
See also ../../../shared/spec/aixplain-wire-contract.md §2, §3, §4, §5, §10.

Deliberate differences (none changes a request or a check):
  * Function holds the values integration records carry plus a few model functions, not all ~130;
    an unknown function id fails here as `Function(id)` fails in the SDK, so keep records to these.
    Supplier holds only the members a test may meet. FunctionInputOutput specs are not reproduced.
  * File upload (FileFactory.upload) is not reproduced: a payload naming a local file fails loudly.
  * A UtilityModel record without `code` makes the SDK GET the `version.id` URL; this replay does not.
  * LLM / IndexModel / UtilityModel are dispatch targets only.
  * A transport error in call_run_endpoint is reported as itself, not as the SDK's NameError.
  * The SDK logs request headers (with the API key) at INFO; this script logs nothing and redacts
    every secret it knows from what it prints.

Usage:  python3 aixplain_v1_replay.py SCENARIO.json
Env:    BACKEND_URL, MODELS_RUN_URL, TEAM_API_KEY / AIXPLAIN_API_KEY, exactly as the SDK reads them.
Output: `HTTP <method> <path> headers=… body=… -> <status>` for every request, `OK <step> <detail>`
        for every step that behaved as the SDK needs, and on the first problem `FAIL <step>: <reason>`
        with exit status 1.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import warnings
from datetime import datetime
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Union
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter, Retry

Trace = Callable[[str], None]
_trace: Optional[Trace] = None


# ==================================================================================================
# Settings — mirrors aixplain/utils/config.py: read once when the package is imported; a missing key
# is not an error there (the backend answers 401), two different keys are.
# ==================================================================================================
class Settings:
    backend_url: str = os.getenv("BACKEND_URL", "https://platform-api.aixplain.com")
    models_run_url: str = os.getenv("MODELS_RUN_URL", "https://models.aixplain.com/api/v1/execute")
    team_api_key: str = os.getenv("TEAM_API_KEY", "")
    aixplain_api_key: str = os.getenv("AIXPLAIN_API_KEY", "")

    @classmethod
    def normalise_keys(cls) -> None:
        # config._normalize_api_keys
        if cls.team_api_key and cls.aixplain_api_key and cls.team_api_key != cls.aixplain_api_key:
            raise Exception("Conflicting API keys: 'AIXPLAIN_API_KEY' and 'TEAM_API_KEY' are both provided but do not match.")
        if cls.aixplain_api_key and not cls.team_api_key:
            cls.team_api_key = cls.aixplain_api_key


# ==================================================================================================
# HTTP — mirrors utils/request_utils.py::_request_with_retry: a new Session per call, urllib3 retries
# (5, backoff 0.1, on 500/502/503/504) mounted for https:// only, no timeout.
# ==================================================================================================
def http(method: str, url: str, **params: Any) -> requests.Response:
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=0.1, status_forcelist=[500, 502, 503, 504])))
    try:
        response = session.request(method=method.upper(), url=url, **params)
    except requests.RequestException as error:
        if _trace:
            _trace(f"HTTP {method.upper()} {_path(url)} -> transport error {type(error).__name__}")
        raise
    if _trace:
        sent = response.request
        body = sent.body.decode("utf-8") if isinstance(sent.body, bytes) else sent.body
        headers = {k: v for k, v in sent.headers.items() if k.lower() in ("authorization", "x-api-key", "content-type")}
        _trace(f"HTTP {sent.method} {_path(sent.url)} headers={json.dumps(headers, sort_keys=True)} body={body if body else '-'} -> {response.status_code}")
    return response


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ==================================================================================================
# Enums — v1/enums/*. What matters is membership: the SDK builds these from record fields, and a value
# outside the enum raises ValueError at that point.
# ==================================================================================================
class FunctionType(Enum):
    AI = "ai"
    SEGMENTOR = "segmentor"
    RECONSTRUCTOR = "reconstructor"
    UTILITY = "utility"
    METRIC = "metric"
    SEARCH = "search"
    INTEGRATION = "connector"
    CONNECTION = "connection"
    MCP_CONNECTION = "mcpconnection"
    MCPSERVER = "mcpserver"


class AssetStatus(str, Enum):
    DRAFT = "draft"
    HIDDEN = "hidden"
    SCHEDULED = "scheduled"
    ONBOARDING = "onboarding"
    ONBOARDED = "onboarded"
    PENDING = "pending"
    FAILED = "failed"
    TRAINING = "training"
    REJECTED = "rejected"
    ENABLING = "enabling"
    DELETING = "deleting"
    DISABLED = "disabled"
    DELETED = "deleted"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELING = "canceling"
    CANCELED = "canceled"
    DEPRECATED_DRAFT = "deprecated_draft"


class ResponseStatus(str, Enum):
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"

    def __str__(self) -> str:
        return self.value


class Function(str, Enum):
    UTILITIES = "utilities"
    CONNECTOR = "connector"
    CONNECTION = "connection"
    TEXT_GENERATION = "text-generation"
    SEARCH = "search"
    SCRIPT_EXECUTION = "script-execution"
    TRANSLATION = "translation"
    SPEECH_RECOGNITION = "speech-recognition"
    TEXT_EMBEDDING = "text-embedding"
    GUARDRAILS = "guardrails"


class Supplier(Enum):
    # Members are matched by whole-dict equality; printing one shows its `name`.
    AIXPLAIN = {"id": 1, "name": "aixplain", "code": "aixplain"}
    COMPOSIO = {"id": 29342, "name": "Composio", "code": "composio"}
    OPENAI = {"id": 1777, "name": "OpenAI", "code": "openai"}

    def __str__(self) -> str:
        return self.value["name"]


class AuthenticationSchema(Enum):
    BEARER_TOKEN = "BEARER_TOKEN"
    OAUTH1 = "OAUTH1"
    OAUTH2 = "OAUTH2"
    API_KEY = "API_KEY"
    BASIC = "BASIC"
    NO_AUTH = "NO_AUTH"


# ==================================================================================================
# Error messages — exceptions/types.py::get_error_from_status_code. In the v1 run path only the text
# is observable: `<leading sentence> Details: <details>`, stripped, details printed with str().
# ==================================================================================================
_STATUS_SENTENCES = {
    400: "Bad request: Please verify the request payload and ensure it is correct.",
    401: "Unauthorized API key: Please verify the spelling of the API key and its current validity.",
    402: "Payment required: Please ensure you have enough credits to run this asset.",
    403: "Forbidden access: Please verify the API key and its current validity.",
    404: "Resource not found: Please verify the spelling of the resource and its current availability.",
    429: "Rate limit exceeded: Please try again later.",
    500: "Internal server error: Please try again later.",
    503: "Service unavailable: Please try again later.",
    504: "Gateway timeout: Please try again later.",
}
_RANGE_SENTENCES = [
    (460, "Subscription-related error: Please ensure that your subscription is active and has not expired."),
    (470, "Billing-related error: Please ensure you have enough credits to run this asset."),
    (480, "Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access."),
    (490, "Validation-related error: Please verify the request payload and ensure it is correct."),
]


def status_error_message(status_code: int, details: Any = None) -> str:
    suffix = f"Details: {details}" if details else ""
    sentence = _STATUS_SENTENCES.get(status_code)
    if sentence is None:
        sentence = next((text for low, text in _RANGE_SENTENCES if low <= status_code < low + 10), None)
    if sentence is None:
        side = "Client" if 400 <= status_code < 500 else "Server"
        sentence = f"Unspecified {side} Error (Status {status_code})"
    return f"{sentence} {suffix}".strip()


# ==================================================================================================
# Run bodies — modules/model/utils.py.
# ==================================================================================================
def to_link(data: Union[str, Dict]) -> Union[str, Dict]:
    # factories/file_factory.py::FileFactory.to_link: top-level string values that name an existing
    # local file would be uploaded and replaced by a URL.
    for value in data.values() if isinstance(data, dict) else [data]:
        if isinstance(value, str) and os.path.isfile(value):
            raise NotImplementedError(f"the SDK would upload the local file {value!r}; this replay does not")
    return data


def build_payload(data: Union[str, Dict], parameters: Optional[Dict] = None) -> str:
    # utils.py::build_payload — dict as is; a string JSON-decoded, non-dicts wrapped as {"data": …}
    # (numbers turned into strings), undecodable text as {"data": text}; parameters merged on top;
    # enums serialised to their values; the result is JSON *text* (sent with data=, not json=).
    extra = dict(parameters or {})
    data = to_link(data)
    if isinstance(data, dict):
        body: Any = data
    else:
        try:
            body = json.loads(data)
            if not isinstance(body, dict):
                body = {"data": str(body) if isinstance(body, (int, float)) else body}
        except Exception:
            extra["data"] = data
            body = {"data": data}
    merged = extra if not body else {**body, **extra}

    def plain(value: Any) -> Any:
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    return json.dumps(plain(merged))


def call_run_endpoint(url: str, api_key: str, payload: str) -> Dict:
    # utils.py::call_run_endpoint — POST with x-api-key; never raises on an HTTP status.
    response = http("post", url, headers={"x-api-key": api_key, "Content-Type": "application/json"}, data=payload)
    body: Any = "unspecified error"
    try:
        body = response.json()
    except Exception:
        pass
    if 200 <= response.status_code < 300:
        if not isinstance(body, dict):
            # The SDK calls body.get(...) here: a non-object 2xx body crashes it.
            raise AttributeError(f"'{type(body).__name__}' object has no attribute 'get' (HTTP {response.status_code} body is not a JSON object)")
        status = body.get("status", "IN_PROGRESS")
        if status != "IN_PROGRESS":
            return body
        if body.get("data", None) is None:
            return {"status": "FAILED", "completed": True, "error_message": "Model Run: An error occurred while processing your request."}
        return {"status": status, "url": body["data"], "completed": False}
    details = body["error"] if isinstance(body, dict) and "error" in body else body
    return {"status": "FAILED", "error_message": status_error_message(response.status_code, details), "completed": True}


# ==================================================================================================
# ModelResponse — modules/model/response.py (only what the v1 integration paths touch).
# ==================================================================================================
class ModelResponse:
    def __init__(self, status: Any, data: Any = "", details: Any = None, completed: bool = False, error_message: str = "",
                 used_credits: float = 0.0, run_time: float = 0.0, usage: Any = None, url: Any = None,
                 error_code: Any = None, asset: Any = None, **extra: Any) -> None:
        self.status = status
        self.data = data
        self.details = {} if details is None else details
        self.completed = completed
        if error_message == "":
            # An empty error_message falls back to `error`, then appends " - <supplierError>".
            error_message = extra.get("error", "")
            if "supplierError" in extra:
                error_message = f"{error_message} - {extra.get('supplierError', '')}"
        self.error_message = error_message
        self.used_credits = used_credits
        self.run_time = run_time
        self.usage = usage
        self.url = url
        self.error_code = error_code
        self.asset = asset
        self.additional_fields = extra

    def __getitem__(self, key: str) -> Any:
        if key in self.__dict__:
            return self.__dict__[key]
        if key in self.additional_fields:
            return self.additional_fields[key]
        aliases = {"usedCredits": "used_credits", "runTime": "run_time"}
        if key in aliases:
            return self.__dict__[aliases[key]]
        raise KeyError(f"Key '{key}' not found in ModelResponse.")


def _as_status(raw: Any, fallback: ResponseStatus) -> Any:
    if isinstance(raw, str):
        try:
            return ResponseStatus(raw)
        except ValueError:
            return fallback
    return raw


def _response_from(body: Dict, status: Any, with_url: bool = False) -> ModelResponse:
    # How Model.run / run_async / poll unpack a body: known keys popped into fields, the rest as extras.
    common = dict(
        status=status,
        data=body.pop("data", ""),
        details=body.pop("details", {}),
        completed=body.pop("completed", False),
        error_message=body.pop("error_message", ""),
    )
    if with_url:
        return ModelResponse(**common, url=body.pop("url", None), **body)
    return ModelResponse(
        **common,
        used_credits=body.pop("usedCredits", 0),
        run_time=body.pop("runTime", 0),
        usage=body.pop("usage", None),
        asset=body.pop("asset", None),
        error_code=body.get("error_code", None),
        **body,
    )


# ==================================================================================================
# Model — modules/asset.py + modules/model/__init__.py.
# ==================================================================================================
def _coerce_supplier(supplier: Any) -> Any:
    # asset.py::Asset.__init__ — a Supplier stays; a dict must equal a member's value exactly; a string
    # matching a member's code or name (case-insensitive) becomes it, else stays a string; anything
    # that fails on the way becomes Supplier.AIXPLAIN.
    try:
        if isinstance(supplier, Supplier):
            return supplier
        if isinstance(supplier, dict):
            return Supplier(supplier)
        match = next((m for m in Supplier if supplier.lower() in (m.value["code"].lower(), m.value["name"].lower())), None)
        return match if match is not None else supplier
    except Exception:
        return Supplier.AIXPLAIN


def _supplier_text(supplier: Any) -> str:
    # The __repr__ methods try supplier['name'] and fall back to str(supplier).
    try:
        return supplier["name"]
    except Exception:
        return str(supplier)


class Model:
    def __init__(self, id: str, name: str = "", description: str = "", api_key: Optional[str] = None, supplier: Any = "aiXplain",
                 version: Optional[str] = None, function: Optional[Function] = None, is_subscribed: bool = False,
                 cost: Optional[Dict] = None, created_at: Optional[datetime] = None, model_params: Optional[Dict] = None,
                 supports_streaming: bool = False, status: Any = AssetStatus.ONBOARDED,
                 function_type: Optional[FunctionType] = FunctionType.AI, **additional_info: Any) -> None:
        self.id, self.name, self.description = id, name, description
        self.supplier = _coerce_supplier(supplier)
        self.version, self.cost = version, cost
        self.api_key = api_key if api_key is not None else Settings.team_api_key
        self.additional_info = additional_info
        self.url = Settings.models_run_url
        self.backend_url = Settings.backend_url
        self.function, self.is_subscribed, self.created_at = function, is_subscribed, created_at
        if model_params:
            # ModelParameters reads each spec with .get(): a non-dict spec raises AttributeError.
            for spec in model_params.values():
                spec.get("required", False)
        self.supports_streaming = supports_streaming
        self.function_type = function_type
        if isinstance(status, str):
            try:
                status = AssetStatus(status)
            except Exception:
                status = AssetStatus.ONBOARDED
        self.status = status

    def __repr__(self) -> str:
        return f"Model: {self.name} by {_supplier_text(self.supplier)} (id={self.id})"

    def run(self, data: Union[str, Dict], name: str = "model_process", timeout: float = 300, parameters: Optional[Dict] = None,
            wait_time: float = 0.5) -> ModelResponse:
        # __init__.py::Model.run — sync runs always go to /api/v2/execute; IN_PROGRESS is polled.
        started = time.time()
        url = f"{self.url}/{self.id}".replace("api/v1/execute", "api/v2/execute")
        body = call_run_endpoint(url, self.api_key, build_payload(data, parameters))
        if body["status"] == "IN_PROGRESS":
            try:
                return self.sync_poll(body["url"], name=name, timeout=timeout, wait_time=wait_time)
            except Exception as error:
                body = {"status": "FAILED", "error_message": f"Error in request for {name} - {error}", "runTime": time.time() - started}
        return _response_from(body, _as_status(body.pop("status", ResponseStatus.FAILED), ResponseStatus.FAILED))

    def run_async(self, data: Union[str, Dict], name: str = "model_process", parameters: Optional[Dict] = None) -> ModelResponse:
        # Model.run_async — the URL is NOT rewritten: async runs stay on /api/v1/execute.
        body = call_run_endpoint(f"{self.url}/{self.id}", self.api_key, build_payload(data, parameters))
        return _response_from(body, _as_status(body.pop("status", ResponseStatus.FAILED), ResponseStatus.FAILED), with_url=True)

    def poll(self, poll_url: str, name: str = "model_process") -> ModelResponse:
        # Model.poll — GET with x-api-key. `completed` is indexed (a body without it is a per-poll
        # failure); the status comes from the body when it is a valid one, else from `completed` and
        # the presence of error_message / supplierError. Any problem becomes FAILED, completed=False.
        response = http("get", poll_url, headers={"x-api-key": self.api_key, "Content-Type": "application/json"})
        try:
            body = response.json()
            if body["completed"] is True:
                derived = ResponseStatus.FAILED if ("error_message" in body or "supplierError" in body) else ResponseStatus.SUCCESS
            else:
                derived = ResponseStatus.IN_PROGRESS
            return _response_from(body, _as_status(body.pop("status", derived), derived))
        except Exception as error:
            return ModelResponse(status=ResponseStatus.FAILED, error_message=str(error), completed=False)

    def sync_poll(self, poll_url: str, name: str = "model_process", wait_time: float = 0.5, timeout: float = 300) -> ModelResponse:
        # Model.sync_poll — wait at least 0.2 s, jittered ×0.8–1.2, growing ×1.1 while under 60 s;
        # a poll that raises, or no completion within `timeout`, gives "No response from the service.".
        no_response = lambda: ModelResponse(status=ResponseStatus.FAILED, completed=False, error_message="No response from the service.")  # noqa: E731
        start = end = time.time()
        wait_time = max(wait_time, 0.2)
        result = ModelResponse(status=ResponseStatus.FAILED, completed=False)
        done = False
        while not done and end - start < timeout:
            try:
                result = self.poll(poll_url, name=name)
                done = result["completed"]
                end = time.time()
                if done is False:
                    time.sleep(wait_time * random.uniform(0.8, 1.2))
                    if wait_time < 60:
                        wait_time *= 1.1
            except Exception:
                result = no_response()
                break
        return result if result["completed"] is True else no_response()

    def delete(self) -> None:
        # Model.delete — DELETE sdk/models/{id} with Token auth; only exactly 200 is success.
        try:
            response = http("delete", urljoin(self.backend_url, f"sdk/models/{self.id}"),
                            headers={"Authorization": f"Token {self.api_key}", "Content-Type": "application/json"})
            ok = response.status_code == 200
        except Exception:
            ok = False
        if not ok:
            raise Exception("Model Deletion Error: Make sure the model exists and you are the owner.")


class LLM(Model):
    pass


class IndexModel(Model):
    pass


class UtilityModel(Model):
    pass


# ==================================================================================================
# Integration — modules/model/integration.py.
# ==================================================================================================
class BaseAuthenticationParams:
    # A pydantic model of three optional strings: a non-string value fails validation.
    def __init__(self, name: Optional[str] = None, description: Optional[str] = None, connector_id: Optional[str] = None) -> None:
        for field, value in (("name", name), ("description", description), ("connector_id", connector_id)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"1 validation error for BaseAuthenticationParams\n{field}\n  Input should be a valid string")
        self.name, self.description, self.connector_id = name, description, connector_id


def build_connector_params(**kwargs: Any) -> BaseAuthenticationParams:
    return BaseAuthenticationParams(kwargs.get("name"), kwargs.get("description"), kwargs.get("connector_id"))


MCP_INTEGRATION_ID = "686eb9cd26480723d0634d3e"


def _attribute_json(attributes: Any, name: str) -> Any:
    # `[a for a in attributes if a["name"] == name][0]["code"]`, JSON-decoded: a missing entry is an
    # IndexError, the v2 map form a TypeError (iterating a dict yields its keys).
    return json.loads([entry for entry in attributes if entry["name"] == name][0]["code"])


class Integration(Model):
    def __init__(self, id: str, name: str, function_type: Optional[FunctionType] = FunctionType.INTEGRATION, **kwargs: Any) -> None:
        assert function_type == FunctionType.INTEGRATION, "Integration only supports connector function"
        super().__init__(id, name, function_type=function_type, **kwargs)
        self.authentication_methods = _attribute_json(self.additional_info["attributes"], "auth_schemes")

    def connect(self, authentication_schema: Optional[AuthenticationSchema] = None, args: Optional[BaseAuthenticationParams] = None,
                data: Optional[Union[Dict, str]] = None, **kwargs: Any) -> ModelResponse:
        # Integration.connect, in order: the MCP integration sends only {"data"}; a scheme is required
        # and must be listed in auth_schemes; non-OAuth schemes need every `<S>-inputs` name in data
        # (whatever `required` says) and send {name, description, authScheme, data}; OAuth sends no
        # data and warns with the redirect URL.
        if self.id == MCP_INTEGRATION_ID:
            return self.run({"data": {} if data is None else data})
        if authentication_schema is None:
            raise ValueError("authentication_schema is required for this integration. Please provide an AuthenticationSchema value.")
        args = args if args is not None else build_connector_params(**kwargs)
        scheme = authentication_schema.value
        if scheme not in self.authentication_methods:
            raise ValueError(f"Authentication schema {scheme} is not supported for this integration. "
                             f"Supported authentication methods: {self.authentication_methods}")
        data = {} if data is None else data
        if authentication_schema in (AuthenticationSchema.OAUTH1, AuthenticationSchema.OAUTH2):
            response = self.run({"name": args.name, "description": args.description, "authScheme": scheme})
            if "redirectURL" in response.data:
                warnings.warn(f"Before using the tool, please visit the following URL to complete the connection: {response.data['redirectURL']}")
            return response
        names = [descriptor["name"] for descriptor in _attribute_json(self.additional_info["attributes"], f"{scheme}-inputs")]
        missing = next((n for n in names if n not in data), None)
        if missing is not None:
            if len(names) == 1:
                raise ValueError(f"Parameter '{missing}' is required for {self.name} {scheme} authentication. "
                                 "Please provide the parameter in the data dictionary.")
            raise ValueError(f"Parameters {names} are required for {self.name} {scheme} authentication. "
                             "Please provide the parameters in the data dictionary.")
        return self.run({"name": args.name, "description": args.description, "authScheme": scheme, "data": data})

    def __repr__(self) -> str:
        return f"Integration: {self.name} by {_supplier_text(self.supplier)} (id={self.id})"


# ==================================================================================================
# ConnectionTool / MCPConnection — modules/model/connection.py, mcp_connection.py.
# ==================================================================================================
class ConnectAction:
    def __init__(self, name: str, description: str, code: Optional[str] = None, inputs: Optional[Dict] = None) -> None:
        self.name, self.description, self.code, self.inputs = name, description, code, inputs

    def __repr__(self) -> str:
        return f"Action(code={self.code}, name={self.name})"


class ConnectionTool(Model):
    def __init__(self, id: str, name: str, function_type: Optional[FunctionType] = FunctionType.CONNECTION, **kwargs: Any) -> None:
        assert function_type in (FunctionType.CONNECTION, FunctionType.MCP_CONNECTION), "Connection only supports connection function"
        super().__init__(id, name, function_type=function_type, **kwargs)
        # The constructor lists the actions at once: a connection whose LIST_ACTIONS fails cannot be fetched.
        self.actions = self._get_actions()
        self.action_scope = None

    def _get_actions(self) -> List[ConnectAction]:
        # LIST_ACTIONS with data " " (one space); name/displayName/description are indexed.
        response = Model.run(self, {"action": "LIST_ACTIONS", "data": " "})
        if response.status == ResponseStatus.SUCCESS:
            return [ConnectAction(name=item["displayName"], description=item["description"], code=item["name"]) for item in response.data]
        raise Exception(f"It was not possible to get the actions for the connection {self.id}. Error {response.error_code}: {response.error_message}")

    def get_action_inputs(self, action: Union[ConnectAction, str]) -> Optional[Dict]:
        # An action object with cached inputs answers at once; a code always asks LIST_INPUTS. The item
        # whose `name` equals the code is used (else the first); inputs are keyed by `code` and cached
        # on the listed action. A non-SUCCESS answer gives None, silently.
        if isinstance(action, ConnectAction):
            if action.inputs:
                return action.inputs
            action = action.code
        response = Model.run(self, {"action": "LIST_INPUTS", "data": {"actions": [action]}})
        if response.status != ResponseStatus.SUCCESS:
            return None
        try:
            item = next((entry for entry in response.data if entry.get("name") == action), None)
            if item is None or "inputs" not in item:
                item = response.data[0] if response.data else None
            if item is None:
                raise Exception(f"Action '{action}' not found in response")
            inputs = {spec["code"]: spec for spec in item["inputs"]}
        except Exception as error:
            raise Exception(f"It was not possible to get the inputs for the action {action}. Error {error}")
        listed = next((a for a in self.actions if a.code == action), None)
        if listed is not None:
            listed.inputs = inputs
        return inputs

    def run(self, action: Union[ConnectAction, str], inputs: Optional[Any] = None, *, data: Optional[Any] = None) -> ModelResponse:
        payload = inputs if inputs is not None else data
        if payload is None:
            raise TypeError("run() missing required argument: 'inputs' or 'data'")
        code = action.code if isinstance(action, ConnectAction) else action
        return Model.run(self, {"action": code, "data": payload})

    def __repr__(self) -> str:
        return f"ConnectionTool(id={self.id}, name={self.name})"


class MCPConnection(ConnectionTool):
    def __init__(self, id: str, name: str, function_type: Optional[FunctionType] = FunctionType.CONNECTION, **kwargs: Any) -> None:
        assert function_type == FunctionType.MCP_CONNECTION, "Connection only supports mcp connection function"
        super().__init__(id, name, function_type=function_type, **kwargs)

    def _get_actions(self) -> List[ConnectAction]:
        response = Model.run(self, {"action": "LIST_TOOLS", "data": " "})
        if response.status == ResponseStatus.SUCCESS:
            return [ConnectAction(name=item["name"], description=item["description"], code=item["name"]) for item in response.data]
        raise Exception(f"It was not possible to get the actions for the connection {self.id}. Error {response.error_code}: {response.error_message}")


# ==================================================================================================
# Factories — factories/model_factory/{utils.py, mixins/*}, factories/integration_factory.py.
# ==================================================================================================
def create_model_from_response(record: Dict) -> Model:
    # model_factory/utils.py::create_model_from_response. Indexed (KeyError when absent): function.id,
    # params (each with name, and defaultValues or values), supplier, pricing, version.id, name, id.
    # Built as enums (ValueError when unknown): function.id, functionType (default "ai"), status
    # (default "draft"). The class is chosen in this order: text-generation → LLM, search →
    # IndexModel, then functionType connector / connection / mcpconnection, then utilities → UtilityModel.
    record.setdefault("api_key", Settings.team_api_key)
    parameters = {}
    for spec in record.get("params", []):
        values = [v["value"] for v in (spec["values"] if "language" in spec["name"] else spec["defaultValues"])]
        if values or "language" in spec["name"]:
            parameters[spec["name"]] = values
    attributes = record.get("attributes", None)
    if attributes:
        # The embeddingmodel / embeddingSize lookups call .get on every entry: the v2 map form
        # (a dict, whose iteration yields strings) fails here already.
        for entry in attributes:
            entry.get("name")
    function = Function(record["function"]["id"])
    function_type = FunctionType(record.get("functionType", "ai"))
    model_params = {spec["name"]: spec for spec in record["params"]}
    code = record.get("code", "")
    cls: type = Model
    if function == Function.TEXT_GENERATION:
        cls = LLM
    elif function == Function.SEARCH:
        cls = IndexModel
    elif function_type == FunctionType.INTEGRATION:
        cls = Integration
    elif function_type == FunctionType.CONNECTION:
        cls = ConnectionTool
    elif function_type == FunctionType.MCP_CONNECTION:
        cls = MCPConnection
    elif function == Function.UTILITIES:
        cls = UtilityModel
        if not code and not record.get("version"):
            raise Exception("Utility Model Error: Code not found")
    status = AssetStatus(record.get("status", AssetStatus.DRAFT.value))
    created_at = datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00")) if record.get("createdAt") else None
    return cls(
        record["id"], record["name"],
        description=record.get("description", ""), code=code or "", supplier=record["supplier"], api_key=record["api_key"],
        cost=record["pricing"], function=function, created_at=created_at, parameters=parameters, model_params=model_params,
        is_subscribed="subscription" in record, version=record["version"]["id"], inputs=[],
        supports_streaming=record.get("supportsStreaming", False), status=status, function_type=function_type,
        attributes=attributes,
    )


def fetch_model_by_id(model_id: str, api_key: Optional[str] = None) -> Model:
    # mixins/model_getter.py::_fetch_model_by_id — GET sdk/models/{id} with Token auth.
    body: Any = None
    try:
        response = http("get", urljoin(Settings.backend_url, f"sdk/models/{model_id}"),
                        headers={"Authorization": f"Token {api_key or Settings.team_api_key}", "Content-Type": "application/json"})
        body = response.json()
    except Exception:
        if body and "statusCode" in body:
            raise Exception(f"Model Creation: Status {body['statusCode']} - {body['message']}")
        raise Exception("Model Creation: Unspecified Error")
    if not 200 <= response.status_code < 300:
        raise Exception(f"Model GET Error: Failed to retrieve model {model_id}. Status Code: {response.status_code}. Error: {body}")
    body["api_key"] = api_key if api_key is not None else Settings.team_api_key
    return create_model_from_response(body)


def list_page(query: str, page_number: int, page_size: int, function: Optional[Function], api_key: Optional[str]) -> Dict:
    # model_factory/utils.py::get_assets_from_page + mixins/model_list.py::list. The paginate call
    # always authenticates with the global key; only {q, pageNumber, pageSize, functions} are sent
    # when no other filter is given. A transport or decode failure returns [] there, and list's
    # `models, total = …` then fails to unpack.
    try:
        request: Dict[str, Any] = {"q": query, "pageNumber": page_number, "pageSize": page_size}
        if function is not None:
            request["functions"] = [function.value]
        response = http("post", urljoin(Settings.backend_url, "sdk/models/paginate"),
                        headers={"Authorization": f"Token {Settings.team_api_key}", "Content-Type": "application/json"}, json=request)
        body = response.json()
    except Exception as error:
        raise ValueError(f"not enough values to unpack (expected 2, got 0) [paginate failed: {error}]")
    if not 200 <= response.status_code < 300:
        raise Exception(f"Listing Models Error: Failed to retrieve models. Status Code: {response.status_code}. Error: {body}")
    models = []
    for record in body["items"]:
        record["api_key"] = api_key if api_key is not None else Settings.team_api_key
        models.append(create_model_from_response(record))
    return {"results": models, "page_total": min(page_size, len(models)), "page_number": page_number, "total": body["total"]}


class ModelFactory:
    @classmethod
    def get(cls, model_id: Optional[str] = None, name: Optional[str] = None, api_key: Optional[str] = None) -> Model:
        # mixins/model_getter.py::get — exactly one of id and name; "/" in an id is sent as %2F.
        if bool(model_id) == bool(name):
            raise ValueError("Must provide exactly one of 'model_id' or 'name'")
        if name:
            raise NotImplementedError("get(name=…) uses sdk/models/by-name, which integrations do not support; not replayed")
        return fetch_model_by_id(model_id.replace("/", "%2F"), api_key if api_key is not None else Settings.team_api_key)

    @classmethod
    def list(cls, query: str = "", function: Optional[Function] = None, page_number: int = 0, page_size: int = 20,
             api_key: Optional[str] = None) -> Dict:
        return list_page(query, page_number, page_size, function, api_key)


class IntegrationFactory(ModelFactory):
    @classmethod
    def get(cls, model_id: Optional[str] = None, name: Optional[str] = None, api_key: Optional[str] = None) -> Integration:
        # integration_factory.py::get — by name: list(query=name) (page 0, size 20) and the first
        # exact, case-sensitive name match; by id: ModelFactory's get, then an isinstance assertion.
        if bool(model_id) == bool(name):
            raise ValueError("Must provide exactly one of 'model_id' or 'name'")
        if name:
            for candidate in cls.list(query=name, api_key=api_key)["results"]:
                if candidate.name == name:
                    return candidate
            raise Exception(f"Integration GET by Name Error: Failed to retrieve integration '{name}'. No integration found with this exact name.")
        model = super().get(model_id=model_id, api_key=api_key)
        assert isinstance(model, Integration), f"The provided identifier ('{model_id}') is not from an integration model"
        return model

    @classmethod
    def list(cls, query: str = "", page_number: int = 0, page_size: int = 20, api_key: Optional[str] = None, **_: Any) -> Dict:  # type: ignore[override]
        return list_page(query, page_number, page_size, Function.CONNECTOR, api_key)


# ==================================================================================================
# Scenario runner: a user's script, step by step. Not part of the SDK.
# ==================================================================================================
class Reporter:
    def __init__(self, secrets: List[str]) -> None:
        # Longest first, so a secret that contains another is redacted whole.
        self.secrets = sorted({s for s in secrets if isinstance(s, str) and len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def line(self, text: str) -> None:
        print(self.scrub(text), flush=True)

    def ok(self, step: str, detail: str = "") -> None:
        self.line(f"OK {step} {detail}".rstrip())

    def fail(self, step: str, reason: str) -> None:
        self.line(f"FAIL {step}: {reason}")
        raise SystemExit(1)


def _short(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "…"


class Runner:
    def __init__(self, scenario: Dict, reporter: Reporter) -> None:
        self.s = scenario
        self.r = reporter
        self.poll_timeout = float(scenario.get("poll_timeout", 60))

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        """Runs one SDK call; whatever it raises is that step's FAIL, as the user would see it."""
        try:
            return fn()
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001
            self.r.fail(name, f"{type(error).__name__}: {error}")

    def expect_raise(self, name: str, fn: Callable[[], Any], exc_type: type, contains: str) -> str:
        try:
            fn()
        except exc_type as error:
            text = str(error)
            if contains not in text:
                self.r.fail(name, f"{type(error).__name__} raised, but without {contains!r}: {text}")
            return text
        except Exception as error:  # noqa: BLE001
            self.r.fail(name, f"expected {exc_type.__name__} containing {contains!r}, got {type(error).__name__}: {error}")
        self.r.fail(name, f"expected {exc_type.__name__} containing {contains!r}, but nothing was raised")
        return ""

    def run(self) -> None:
        self.step("config", Settings.normalise_keys)
        self.r.ok("config", f"backend={Settings.backend_url} models={Settings.models_run_url} key={'set' if Settings.team_api_key else 'missing'}")
        if self.s.get("mode") == "unauthorized":
            self.run_unauthorized()
            return
        if self.s.get("mode") == "oauth_connect":
            self.run_oauth_connect()
            return
        if self.s.get("mode") == "mcp":
            self.run_mcp()
            return
        if self.s.get("mode") == "existing_connection":
            conn = self.s["connection"]
            self.use_connection(conn["id"], conn["label"], conn)
            self.r.ok("done")
            return
        name = self.s["integration"]
        listing = self.s.get("list", {})
        listed = self.step("integration_list", lambda: IntegrationFactory.list(query=listing.get("query", ""), page_size=listing.get("page_size", 20)))
        classes = sorted({type(m).__name__ for m in listed["results"]})
        if classes != ["Integration"]:
            self.r.fail("integration_list", f"expected only Integration objects, got {classes}")
        self.r.ok("integration_list", f"total={listed['total']} page_total={listed['page_total']} page_number={listed['page_number']} "
                                      f"classes={','.join(classes)} names={','.join(m.name for m in listed['results'])}")

        integration = self.step("integration_get_by_name", lambda: IntegrationFactory.get(name=name))
        self.r.ok("integration_get_by_name", repr(integration))
        by_id = self.step("integration_get_by_id", lambda: IntegrationFactory.get(model_id=integration.id))
        if by_id.id != integration.id or by_id.name != name:
            self.r.fail("integration_get_by_id", f"got {by_id!r}")
        self.r.ok("integration_get_by_id", repr(by_id))
        if self.s.get("integration_path"):
            path = self.s["integration_path"]
            by_path = self.step("integration_get_by_path", lambda: IntegrationFactory.get(model_id=path))
            if by_path.id != integration.id:
                self.r.fail("integration_get_by_path", f"{path} resolved to {by_path!r}")
            self.r.ok("integration_get_by_path", f"{path} -> {by_path.id}")

        methods = integration.authentication_methods
        if "expect_schemes" in self.s and methods != self.s["expect_schemes"]:
            self.r.fail("authentication_methods", f"expected {self.s['expect_schemes']}, got {methods}")
        self.r.ok("authentication_methods", json.dumps(methods))

        errors = self.s.get("expect_errors", {})
        if "unsupported_scheme" in errors:
            scheme = AuthenticationSchema(errors["unsupported_scheme"])
            text = self.expect_raise("error_unsupported_scheme", lambda: integration.connect(scheme, data={}, name="never-created"), ValueError,
                                     f"Authentication schema {scheme.value} is not supported for this integration. Supported authentication methods: {methods}")
            self.r.ok("error_unsupported_scheme", f"ValueError: {text}")
        if "missing_parameter" in errors:
            spec = errors["missing_parameter"]
            text = self.expect_raise("error_missing_parameter",
                                     lambda: integration.connect(AuthenticationSchema(spec["scheme"]), data=dict(spec.get("data", {})), name="never-created"),
                                     ValueError, spec.get("expect", "required for"))
            self.r.ok("error_missing_parameter", f"ValueError: {text}")

        for connection in self.s.get("connections", []):
            self.run_connection(integration, connection)

        if "model_get_404" in errors:
            missing = errors["model_get_404"]
            text = self.expect_raise("error_model_get_404", lambda: ModelFactory.get(missing), Exception,
                                     f"Model GET Error: Failed to retrieve model {missing}. Status Code: 404")
            self.r.ok("error_model_get_404", text)
        if "integration_name_missing" in errors:
            missing = errors["integration_name_missing"]
            text = self.expect_raise("error_integration_name_missing", lambda: IntegrationFactory.get(name=missing), Exception,
                                     "No integration found with this exact name")
            self.r.ok("error_integration_name_missing", text)
        self.r.ok("done")

    def run_unauthorized(self) -> None:
        # With a wrong key: listing raises, a get raises, and a run answers FAILED with the 401 text.
        text = self.expect_raise("unauthorized_list", lambda: IntegrationFactory.list(), Exception,
                                 "Listing Models Error: Failed to retrieve models. Status Code: 401")
        self.r.ok("unauthorized_list", text)
        target = self.s["integration_id"]
        text = self.expect_raise("unauthorized_get", lambda: ModelFactory.get(target), Exception,
                                 f"Model GET Error: Failed to retrieve model {target}. Status Code: 401")
        self.r.ok("unauthorized_get", text)
        model = Model(target)
        response = self.step("unauthorized_run", lambda: model.run({"action": "LIST_ACTIONS", "data": " "}))
        if response.status != ResponseStatus.FAILED or not response.error_message.startswith("Unauthorized API key:"):
            self.r.fail("unauthorized_run", f"expected FAILED 'Unauthorized API key: …', got {response.status} {response.error_message!r}")
        self.r.ok("unauthorized_run", f"status={response.status} error_message={_short(response.error_message, 200)}")
        self.r.ok("done")

    def run_mcp(self) -> None:
        # The MCP Server integration: connect sends only {"data": <url or {url,…}>} (no scheme); the
        # connection is an MCPConnection whose actions come from LIST_TOOLS.
        mcp = self.step("mcp_integration_get", lambda: IntegrationFactory.get(model_id=MCP_INTEGRATION_ID))
        self.r.ok("mcp_integration_get", repr(mcp))
        response = self.step("mcp_connect", lambda: mcp.connect(data={"url": self.s["url"]}))
        if response.status != ResponseStatus.SUCCESS or not isinstance(response.data, dict) or not response.data.get("id"):
            self.r.fail("mcp_connect", f"expected SUCCESS with an id, got {response.status} {response.error_message!r} {_short(response.data)}")
        conn_id = response.data["id"]
        self.r.ok("mcp_connect", f"id={conn_id}")
        tool = self.step("mcp_model_get", lambda: ModelFactory.get(conn_id))
        if type(tool) is not MCPConnection:
            self.r.fail("mcp_model_get", f"expected an MCPConnection, got {type(tool).__name__}")
        self.r.ok("mcp_model_get", f"{type(tool).__name__} function_type={tool.function_type.value}")
        self.r.ok("mcp_actions", " ".join(sorted(a.code for a in tool.actions)))
        inputs = self.step("mcp_action_inputs", lambda: tool.get_action_inputs(self.s["tool"]))
        if not inputs:
            self.r.fail("mcp_action_inputs", "LIST_INPUTS gave nothing")
        self.r.ok("mcp_action_inputs", ",".join(sorted(inputs)))
        out = self.step("mcp_run", lambda: tool.run(self.s["tool"], self.s["inputs"]))
        self.r.ok("mcp_run", f"status={out.status} data={_short(out.data)}")
        failed = self.step("mcp_run_failing", lambda: tool.run(self.s["failing_tool"], {}))
        self.r.ok("mcp_run_failing", f"status={failed.status} error_message={_short(failed.error_message, 200)}")
        self.step("mcp_delete", tool.delete)
        self.r.ok("mcp_delete", conn_id)
        self.r.ok("done")

    def run_oauth_connect(self) -> None:
        # Integration.connect for OAUTH1/OAUTH2: no `data` in the body, the redirect URL as a warning.
        integration = self.step("integration_get_by_name", lambda: IntegrationFactory.get(name=self.s["integration"]))
        scheme = AuthenticationSchema(self.s["scheme"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            response = self.step("oauth_connect", lambda: integration.connect(scheme, name=self.s.get("name")))
        if response.status != ResponseStatus.SUCCESS or not isinstance(response.data, dict):
            self.r.fail("oauth_connect", f"expected SUCCESS with {{id, redirectURL}}, got {response.status} {response.error_message!r}")
        texts = [str(w.message) for w in caught]
        expected = f"Before using the tool, please visit the following URL to complete the connection: {response.data.get('redirectURL')}"
        if texts != [expected]:
            self.r.fail("oauth_connect", f"expected the warning {expected!r}, got {texts!r}")
        self.r.ok("oauth_connect", f"id={response.data['id']} redirect={response.data['redirectURL']}")
        self.r.ok("oauth_warning", texts[0])
        self.r.ok("done")

    def run_connection(self, integration: Integration, conn: Dict) -> None:
        label = conn["label"]
        scheme = AuthenticationSchema(conn["scheme"])
        response = self.step(f"connect[{label}]", lambda: integration.connect(
            scheme, data=dict(conn.get("data", {})), name=conn.get("name"), description=conn.get("description")))
        # What every v1 caller does next (ToolFactory.create, the docs): check SUCCESS, read data["id"].
        if response.status != ResponseStatus.SUCCESS:
            self.r.fail(f"connect[{label}]", f"Failed to connect to {integration.id} - {response.error_message}")
        if not isinstance(response.data, dict) or not isinstance(response.data.get("id"), str) or not response.data["id"]:
            self.r.fail(f"connect[{label}]", f"response.data must be an object with a string id, got {_short(response.data)}")
        conn_id = response.data["id"]
        self.r.ok(f"connect[{label}]", f"status={response.status} id={conn_id} completed={response.completed}")
        self.use_connection(conn_id, label, conn)

    def use_connection(self, conn_id: str, label: str, conn: Dict) -> None:
        tool = self.step(f"model_get[{label}]", lambda: ModelFactory.get(conn_id))
        if type(tool) is not ConnectionTool:
            self.r.fail(f"model_get[{label}]", f"expected a ConnectionTool, got {type(tool).__name__}")
        if conn.get("name") and tool.name != conn["name"]:
            self.r.fail(f"model_get[{label}]", f"name {tool.name!r} != {conn['name']!r}")
        self.r.ok(f"model_get[{label}]", f"{tool!r} status={tool.status.value} function={tool.function.value} version={tool.version}")

        codes = [action.code for action in tool.actions]
        for expected in conn.get("expect_actions", []):
            if expected not in codes:
                self.r.fail(f"actions[{label}]", f"{expected} missing from {codes}")
        self.r.ok(f"actions[{label}]", " ".join(repr(a) for a in tool.actions))

        if conn.get("inspect_action"):
            code = conn["inspect_action"]
            inputs = self.step(f"action_inputs[{label}]", lambda: tool.get_action_inputs(code))
            if inputs is None:
                self.r.fail(f"action_inputs[{label}]", "get_action_inputs returned None (LIST_INPUTS was not SUCCESS)")
            for expected in conn.get("expect_inputs", []):
                if expected not in inputs:
                    self.r.fail(f"action_inputs[{label}]", f"input {expected} missing from {sorted(inputs)}")
            listed = next((a for a in tool.actions if a.code == code), None)
            if listed is None or listed.inputs != inputs:
                self.r.fail(f"action_inputs[{label}]", "the inputs were not cached on the matching ConnectAction")
            again = self.step(f"action_inputs[{label}]", lambda: tool.get_action_inputs(listed))
            if inputs and again is not inputs:
                self.r.fail(f"action_inputs[{label}]", "a ConnectAction with cached inputs must not ask LIST_INPUTS again")
            required = sorted(c for c, spec in inputs.items() if spec.get("required"))
            self.r.ok(f"action_inputs[{label}]", f"{code} codes={','.join(inputs)} required={','.join(required)}")

        for run in conn.get("runs", []):
            self.run_action(tool, label, run)

        if conn.get("delete", True):
            self.step(f"delete[{label}]", tool.delete)
            self.r.ok(f"delete[{label}]", conn_id)
            text = self.expect_raise(f"deleted_get[{label}]", lambda: ModelFactory.get(conn_id), Exception, "Status Code: 404")
            if not text.startswith("Model GET Error: Failed to retrieve model"):
                self.r.fail(f"deleted_get[{label}]", text)
            self.r.ok(f"deleted_get[{label}]", _short(text, 160))
            after = self.step(f"run_after_delete[{label}]", lambda: tool.run(codes[0] if codes else "X", {}))
            if after.status != ResponseStatus.FAILED or not after.error_message.startswith("Resource not found"):
                self.r.fail(f"run_after_delete[{label}]", f"expected FAILED 'Resource not found', got {after.status} {after.error_message!r}")
            self.r.ok(f"run_after_delete[{label}]", f"status={after.status} error_message={_short(after.error_message, 120)}")

    def run_action(self, tool: ConnectionTool, label: str, run: Dict) -> None:
        action = run["action"]
        expect = run.get("expect_status", "SUCCESS")
        tag = f"{label}:{run.get('tag', action)}"
        inputs = run.get("inputs", {})
        if run.get("mode", "sync") == "sync":
            self.check_result(f"run[{tag}]", self.step(f"run[{tag}]", lambda: tool.run(action, inputs)), expect, run)
            return
        ack = self.step(f"run_async[{tag}]", lambda: tool.run_async({"action": action, "data": inputs}))
        if ack.status != ResponseStatus.IN_PROGRESS or not ack.url:
            self.r.fail(f"run_async[{tag}]", f"expected IN_PROGRESS with a poll url, got {ack.status} url={ack.url!r} error_message={ack.error_message!r}")
        if ack.completed is not False:
            self.r.fail(f"run_async[{tag}]", f"v1 reports completed=False for an acknowledgement, got {ack.completed!r}")
        self.r.ok(f"run_async[{tag}]", f"status={ack.status} url={ack.url}")
        first = self.step(f"poll[{tag}]", lambda: tool.poll(ack.url))
        if first.status == ResponseStatus.FAILED and first.completed is False:
            # poll() turns a body it cannot read (e.g. no `completed`) into this; sync_poll would spin.
            self.r.fail(f"poll[{tag}]", f"the poll body is not usable by v1: {first.error_message}")
        self.r.ok(f"poll[{tag}]", f"completed={first.completed} status={first.status}")
        final = self.step(f"sync_poll[{tag}]", lambda: tool.sync_poll(ack.url, timeout=self.poll_timeout, wait_time=0.2))
        if final.completed is not True:
            self.r.fail(f"sync_poll[{tag}]", f"no completed result within {self.poll_timeout}s: {final.error_message}")
        self.check_result(f"sync_poll[{tag}]", final, expect, run)

    def check_result(self, step: str, response: ModelResponse, expect: str, run: Dict) -> None:
        if not isinstance(response.status, ResponseStatus):
            self.r.fail(step, f"status is not a ResponseStatus: {response.status!r}")
        if response.status.value != expect:
            self.r.fail(step, f"expected {expect}, got {response.status} error_message={response.error_message!r} data={_short(response.data)}")
        if expect == "SUCCESS":
            if response.completed is not True:
                self.r.fail(step, f"a SUCCESS result must say completed=True, got {response.completed!r}")
            for key, value in run.get("expect_data", {}).items():
                if not isinstance(response.data, dict) or response.data.get(key) != value:
                    self.r.fail(step, f"data.{key} expected {value!r}, got {_short(response.data)}")
            self.r.ok(step, f"status={response.status} data={_short(response.data)}")
            return
        if not response.error_message:
            self.r.fail(step, "a FAILED result must carry an error_message")
        if run.get("expect_error") and run["expect_error"] not in response.error_message:
            self.r.fail(step, f"error_message {response.error_message!r} lacks {run['expect_error']!r}")
        self.r.ok(step, f"status={response.status} error_message={_short(response.error_message, 200)}")


SECRET_INPUT_NAMES = {"token", "api_key", "apikey", "password", "secret", "client_secret", "access_token", "refresh_token", "key"}


def _secrets_of(data: Any, names: set) -> List[str]:
    return [str(v) for k, v in data.items() if k.lower() in names and v is not None] if isinstance(data, dict) else []


def main(argv: Optional[List[str]] = None) -> int:
    global _trace
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: aixplain_v1_replay.py SCENARIO.json", file=sys.stderr)
        return 2
    with open(args[0], "r", encoding="utf-8") as f:
        scenario = json.load(f)
    names = SECRET_INPUT_NAMES | {k.lower() for k in scenario.get("secret_inputs", [])}
    secrets = [Settings.team_api_key, Settings.aixplain_api_key]
    for connection in scenario.get("connections", []):
        secrets += _secrets_of(connection.get("data", {}), names)
    secrets += _secrets_of(scenario.get("expect_errors", {}).get("missing_parameter", {}).get("data", {}), names)
    reporter = Reporter(secrets)
    _trace = reporter.line
    warnings.simplefilter("ignore")  # the OAuth redirect warning would go to stderr
    Runner(scenario, reporter).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
