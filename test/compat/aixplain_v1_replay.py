#!/usr/bin/env python3
"""Faithful replay of the aiXplain Python SDK's v1 integration code paths, for compatibility tests.

Why this exists: the real `aixplain` package cannot be installed where Patchbay's tests run (no PyPI),
yet Patchbay must work with that package unchanged. This script re-implements, as literally as
practical, what the SDK does on the wire and what it checks in the answers, so that a response shape
the SDK would reject makes this script fail the same way. Only Python 3.11's standard library and
`requests` are used, like the SDK's own HTTP layer.

Upstream source mirrored (aixplain/aiXplain, Apache-2.0; the public mirror `main` @ d0882f54,
package 0.2.47, read file by file at these stored commits):
  aixplain/utils/config.py                              0117d55a  BACKEND_URL, MODELS_RUN_URL, key normalisation
  aixplain/utils/request_utils.py                       178ca1b2  _request_with_retry
  aixplain/exceptions/types.py                          242ddbcd  get_error_from_status_code
  aixplain/v1/enums/{function_type,asset_status,response_status}.py, generated_enums.py (Function,
      Supplier)                                         78cf03c8 / 86a25496 / 2468bb22 / 461e56bd
  aixplain/v1/modules/asset.py                          78cf03c8  supplier coercion
  aixplain/v1/modules/model/__init__.py                 3a73db51  Model.run/run_async/poll/sync_poll/delete
  aixplain/v1/modules/model/utils.py                    86a25496  build_payload, call_run_endpoint
  aixplain/v1/modules/model/response.py                 af6c3416  ModelResponse
  aixplain/v1/modules/model/integration.py              2468bb22  AuthenticationSchema, Integration
  aixplain/v1/modules/model/connection.py               23be5585  ConnectAction, ConnectionTool
  aixplain/v1/modules/model/mcp_connection.py           4be7f61e  MCPConnection (dispatch only)
  aixplain/v1/modules/model/model_parameters.py, v1/base/parameters.py  ModelParameters
  aixplain/v1/factories/file_factory.py                 4b05fc78  FileFactory.to_link (detection only)
  aixplain/v1/factories/model_factory/utils.py          78cf03c8  create_model_from_response, get_assets_from_page
  aixplain/v1/factories/model_factory/mixins/model_getter.py  515a133a  get / _fetch_model_by_id
  aixplain/v1/factories/model_factory/mixins/model_list.py    78cf03c8  list
  aixplain/v1/factories/integration_factory.py          ce75817a  IntegrationFactory.get/list

Deliberate differences (none changes what goes over the wire or what is checked):
  * The Function enum holds the values a connector/connection record can carry plus a few common
    model functions, not all ~130; FunctionInputOutput (static I/O specs) is not reproduced.
  * File upload (FileFactory.upload) is not reproduced: a payload naming a local file fails loudly.
  * UtilityModel / LLM / IndexModel are dispatched to but not implemented beyond their class name.
  * Logging is off: the SDK logs request headers (with the API key) at INFO, and this script must
    never print a secret.

Usage:  python3 aixplain_v1_replay.py SCENARIO.json
Env:    BACKEND_URL, MODELS_RUN_URL, TEAM_API_KEY (or AIXPLAIN_API_KEY), exactly like the SDK.
Output: one line per step, `OK <step> <detail>`; on the first mismatch `FAIL <step>: <reason>` and
        exit status 1. Every credential value from the scenario and the API key are redacted from
        anything printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import warnings
from datetime import datetime
from enum import Enum
from typing import Any, Dict, List, Optional, Text, Union
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter, Retry


# --------------------------------------------------------------------------------------------------
# aixplain/utils/config.py — read once at import, like the SDK's module-level constants.
# --------------------------------------------------------------------------------------------------
class config:  # noqa: N801 (mirrors `from aixplain.utils import config`)
    BACKEND_URL = os.getenv("BACKEND_URL", "https://platform-api.aixplain.com")
    MODELS_RUN_URL = os.getenv("MODELS_RUN_URL", "https://models.aixplain.com/api/v1/execute")
    TEAM_API_KEY = os.getenv("TEAM_API_KEY", "")
    AIXPLAIN_API_KEY = os.getenv("AIXPLAIN_API_KEY", "")


def _normalize_api_keys() -> None:
    if config.AIXPLAIN_API_KEY and config.TEAM_API_KEY and config.AIXPLAIN_API_KEY != config.TEAM_API_KEY:
        raise Exception("Conflicting API keys: 'AIXPLAIN_API_KEY' and 'TEAM_API_KEY' are both provided but do not match.")
    if config.AIXPLAIN_API_KEY and not config.TEAM_API_KEY:
        config.TEAM_API_KEY = config.AIXPLAIN_API_KEY


# --------------------------------------------------------------------------------------------------
# Enums (aixplain/v1/enums/*). Membership is what matters: the SDK builds these from record fields
# and a value outside the enum raises ValueError.
# --------------------------------------------------------------------------------------------------
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
    """A subset of the generated v1 Function enum (see the header)."""

    UTILITIES = "utilities"
    CONNECTOR = "connector"
    CONNECTION = "connection"
    TEXT_GENERATION = "text-generation"
    SEARCH = "search"
    SCRIPT_EXECUTION = "script-execution"
    TRANSLATION = "translation"
    SPEECH_RECOGNITION = "speech-recognition"
    TEXT_EMBEDDING = "text-embedding"
    SPEECH_SYNTHESIS = "speech-synthesis"
    GUARDRAILS = "guardrails"

    def get_input_output_params(self):
        return {}, {}


class Supplier(Enum):
    """The generated enum's first members (values are matched as whole dicts)."""

    AIXPLAIN = {"id": 1, "name": "aixplain", "code": "aixplain"}
    GOOGLE = {"id": 1769, "name": "Google", "code": "google"}
    COMPOSIO = {"id": 29342, "name": "Composio", "code": "composio"}
    OPENAI = {"id": 1777, "name": "OpenAI", "code": "openai"}
    TAVILY = {"id": 19379, "name": "Tavily", "code": "tavily"}

    def __str__(self) -> str:
        return self.value["name"]


class AuthenticationSchema(Enum):
    BEARER_TOKEN = "BEARER_TOKEN"
    OAUTH1 = "OAUTH1"
    OAUTH2 = "OAUTH2"
    API_KEY = "API_KEY"
    BASIC = "BASIC"
    NO_AUTH = "NO_AUTH"


# --------------------------------------------------------------------------------------------------
# aixplain/exceptions/types.py — only the message each status maps to is observable in v1 runs.
# --------------------------------------------------------------------------------------------------
class AixplainBaseException(Exception):
    def __init__(self, message: str, status_code: Optional[int] = None, error_code: Optional[str] = None):
        self.message = message
        self.status_code = status_code
        self.error_code = error_code
        super().__init__(message)


def get_error_from_status_code(status_code: int, error_details: Any = None) -> AixplainBaseException:
    details = f"Details: {error_details}" if error_details else ""
    table = [
        (lambda s: s == 400, "AX-VAL-1000", "Bad request: Please verify the request payload and ensure it is correct."),
        (lambda s: s == 401, "AX-AUTH-1000", "Unauthorized API key: Please verify the spelling of the API key and its current validity."),
        (lambda s: s == 402, "AX-BIL-1000", "Payment required: Please ensure you have enough credits to run this asset."),
        (lambda s: s == 403, "AX-RES-1000", "Forbidden access: Please verify the API key and its current validity."),
        (lambda s: s == 404, "AX-RES-1000", "Resource not found: Please verify the spelling of the resource and its current availability."),
        (lambda s: s == 429, "AX-SUP-1000", "Rate limit exceeded: Please try again later."),
        (lambda s: s == 500, "AX-INT-1000", "Internal server error: Please try again later."),
        (lambda s: s == 503, "AX-SVC-1000", "Service unavailable: Please try again later."),
        (lambda s: s == 504, "AX-NET-1000", "Gateway timeout: Please try again later."),
        (lambda s: 460 <= s < 470, "AX-RES-1000", "Subscription-related error: Please ensure that your subscription is active and has not expired."),
        (lambda s: 470 <= s < 480, "AX-BIL-1000", "Billing-related error: Please ensure you have enough credits to run this asset."),
        (lambda s: 480 <= s < 490, "AX-SUP-1000", "Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access."),
        (lambda s: 490 <= s < 500, "AX-VAL-1000", "Validation-related error: Please verify the request payload and ensure it is correct."),
    ]
    for matches, code, lead in table:
        if matches(status_code):
            return AixplainBaseException(f"{lead} {details}".strip(), status_code, code)
    category = "Client" if 400 <= status_code < 500 else "Server"
    return AixplainBaseException(f"Unspecified {category} Error (Status {status_code}) {details}".strip(), status_code, "AX-INT-1000")


# --------------------------------------------------------------------------------------------------
# aixplain/utils/request_utils.py — a fresh session per call; retries are mounted for https only,
# so plain-http hubs get exactly one attempt (and there is no request timeout, as in the SDK).
# --------------------------------------------------------------------------------------------------
def _request_with_retry(method: Text, url: Text, **params) -> requests.Response:
    session = requests.Session()
    retries = Retry(total=5, backoff_factor=0.1, status_forcelist=[500, 502, 503, 504])
    session.mount("https://", HTTPAdapter(max_retries=retries))
    return session.request(method=method.upper(), url=url, **params)


# --------------------------------------------------------------------------------------------------
# FileFactory.to_link: top-level string values naming an existing local file would be uploaded.
# --------------------------------------------------------------------------------------------------
def _to_link(data: Union[Text, Dict]) -> Union[Text, Dict]:
    values = list(data.values()) if isinstance(data, dict) else [data]
    for value in values:
        if isinstance(value, str) and os.path.exists(value) and os.path.isfile(value):
            raise NotImplementedError(f"the SDK would upload the local file {value!r}; the replay does not mirror uploads")
    return data


# --------------------------------------------------------------------------------------------------
# aixplain/v1/modules/model/utils.py
# --------------------------------------------------------------------------------------------------
def build_payload(data: Union[Text, Dict], parameters: Optional[Dict] = None, stream: Optional[bool] = None) -> str:
    if parameters is None:
        parameters = {}
    if stream is not None:
        parameters.setdefault("options", {})["stream"] = stream
    data = _to_link(data)
    if isinstance(data, dict):
        payload = data
    else:
        try:
            payload = json.loads(data)
            if not isinstance(payload, dict):
                if isinstance(payload, (int, float)):
                    payload = str(payload)
                payload = {"data": payload}
        except Exception:
            parameters["data"] = data
            payload = {"data": data}

    def _serialize_value(obj):
        if isinstance(obj, Enum):
            return obj.value
        if isinstance(obj, dict):
            return {k: _serialize_value(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [_serialize_value(v) for v in obj]
        return obj

    if not payload:
        payload = parameters
    else:
        payload.update(parameters)
    return json.dumps(_serialize_value(payload))


def call_run_endpoint(url: Text, api_key: Text, payload: str) -> Dict:
    headers = {"x-api-key": api_key, "Content-Type": "application/json"}
    resp: Any = "unspecified error"
    # The SDK leaves `r` unbound on a transport error and crashes with a NameError right after; a
    # replay reports the transport error itself instead of an unhelpful NameError.
    r = _request_with_retry("post", url, headers=headers, data=payload)
    try:
        resp = r.json()
    except Exception:
        if 200 <= r.status_code < 300:
            # SDK: `resp` stays the string "unspecified error" and `resp.get(...)` raises.
            raise AttributeError(f"'str' object has no attribute 'get' (HTTP {r.status_code} body is not JSON)")
    if 200 <= r.status_code < 300:
        if not isinstance(resp, dict):
            raise AttributeError(f"'{type(resp).__name__}' object has no attribute 'get' (2xx execute body must be a JSON object)")
        status = resp.get("status", "IN_PROGRESS")
        data = resp.get("data", None)
        if status == "IN_PROGRESS":
            if data is not None:
                return {"status": status, "url": data, "completed": False}
            return {"status": "FAILED", "completed": True, "error_message": "Model Run: An error occurred while processing your request."}
        return resp
    error_details = resp["error"] if isinstance(resp, dict) and "error" in resp else resp
    error = get_error_from_status_code(r.status_code, error_details)
    return {"status": "FAILED", "error_message": error.message, "completed": True}


# --------------------------------------------------------------------------------------------------
# aixplain/v1/modules/model/response.py
# --------------------------------------------------------------------------------------------------
class ModelResponse:
    def __init__(
        self,
        status: ResponseStatus,
        data: Any = "",
        details: Any = {},  # noqa: B006 (the SDK's own default)
        completed: bool = False,
        error_message: Text = "",
        used_credits: float = 0.0,
        run_time: float = 0.0,
        usage: Optional[Dict] = None,
        url: Optional[Text] = None,
        error_code: Any = None,
        asset: Optional[Dict] = None,
        **kwargs,
    ):
        self.status = status
        self.data = data
        self.details = details
        self.completed = completed
        if error_message == "":
            error_message = kwargs.get("error", "")
            if "supplierError" in kwargs:
                error_message = f"{error_message} - {kwargs.get('supplierError', '')}"
        self.error_message = error_message
        self.used_credits = used_credits
        self.run_time = run_time
        self.usage = usage
        self.url = url
        self.error_code = error_code
        self.asset = asset
        self.additional_fields = kwargs

    def __getitem__(self, key: Text) -> Any:
        if key in self.__dict__:
            return self.__dict__[key]
        if self.additional_fields and key in self.additional_fields:
            return self.additional_fields[key]
        if key == "usedCredits":
            return self.used_credits
        if key == "runTime":
            return self.run_time
        raise KeyError(f"Key '{key}' not found in ModelResponse.")

    def get(self, key: Text, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: Text) -> bool:
        try:
            self[key]
            return True
        except KeyError:
            return False


def _coerce_status(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return ResponseStatus(raw)
        except ValueError:
            return ResponseStatus.FAILED
    return raw


# --------------------------------------------------------------------------------------------------
# aixplain/v1/modules/asset.py + model/__init__.py (+ model_parameters.py)
# --------------------------------------------------------------------------------------------------
class Asset:
    def __init__(self, id: Text, name: Text, description: Text, supplier: Any = Supplier.AIXPLAIN, version: Any = "1.0", cost: Any = None):
        self.id = id
        self.name = name
        self.description = description
        try:
            if isinstance(supplier, Supplier):
                self.supplier = supplier
            elif isinstance(supplier, dict):
                self.supplier = Supplier(supplier)  # exact dict match, else ValueError → AIXPLAIN
            else:
                self.supplier = None
                for supplier_ in Supplier:
                    if supplier.lower() in [supplier_.value["code"].lower(), supplier_.value["name"].lower()]:
                        self.supplier = supplier_
                        break
                if self.supplier is None:
                    self.supplier = supplier
        except Exception:
            self.supplier = Supplier.AIXPLAIN
        self.version = version
        self.cost = cost


def _model_parameters(model_params: Dict[str, Dict]) -> Dict[str, Dict]:
    # ModelParameters only reads each spec with .get(): any dict is accepted, a non-dict is not.
    out = {}
    for name, spec in model_params.items():
        out[name] = {
            "required": spec.get("required", False),
            "isFixed": spec.get("isFixed", False),
            "values": spec.get("values", []),
            "defaultValues": spec.get("defaultValues", []),
            "dataType": spec.get("dataType"),
        }
    return out


class Model(Asset):
    def __init__(
        self,
        id: Text,
        name: Text = "",
        description: Text = "",
        api_key: Optional[Text] = None,
        supplier: Any = "aiXplain",
        version: Optional[Text] = None,
        function: Optional[Function] = None,
        is_subscribed: bool = False,
        cost: Optional[Dict] = None,
        created_at: Optional[datetime] = None,
        input_params: Optional[Dict] = None,
        output_params: Optional[Dict] = None,
        model_params: Optional[Dict] = None,
        supports_streaming: bool = False,
        status: Any = AssetStatus.ONBOARDED,
        function_type: Optional[FunctionType] = FunctionType.AI,
        **additional_info,
    ) -> None:
        super().__init__(id, name, description, supplier, version, cost=cost)
        self.api_key = api_key if api_key is not None else config.TEAM_API_KEY
        self.additional_info = additional_info
        self.url = config.MODELS_RUN_URL
        self.backend_url = config.BACKEND_URL
        self.function = function
        self.is_subscribed = is_subscribed
        self.created_at = created_at
        self.input_params = input_params
        self.output_params = output_params
        self.model_params = _model_parameters(model_params) if model_params else None
        self.supports_streaming = supports_streaming
        self.function_type = function_type
        if isinstance(status, str):
            try:
                status = AssetStatus(status)
            except Exception:
                status = AssetStatus.ONBOARDED
        self.status = status

    def __repr__(self) -> str:
        try:
            return f"Model: {self.name} by {self.supplier['name']} (id={self.id})"
        except Exception:
            return f"Model: {self.name} by {self.supplier} (id={self.id})"

    def sync_poll(self, poll_url: Text, name: Text = "model_process", wait_time: float = 0.5, timeout: float = 300) -> ModelResponse:
        start, end = time.time(), time.time()
        wait_time = max(wait_time, 0.2)
        completed = False
        response_body = ModelResponse(status=ResponseStatus.FAILED, completed=False)
        while not completed and (end - start) < timeout:
            try:
                response_body = self.poll(poll_url, name=name)
                completed = response_body["completed"]
                end = time.time()
                if completed is False:
                    time.sleep(wait_time * random.uniform(0.8, 1.2))
                    if wait_time < 60:
                        wait_time *= 1.1
            except Exception:
                response_body = ModelResponse(status=ResponseStatus.FAILED, completed=False, error_message="No response from the service.")
                break
        if response_body["completed"] is not True:
            response_body = ModelResponse(status=ResponseStatus.FAILED, completed=False, error_message="No response from the service.")
        return response_body

    def poll(self, poll_url: Text, name: Text = "model_process") -> ModelResponse:
        headers = {"x-api-key": self.api_key, "Content-Type": "application/json"}
        r = _request_with_retry("get", poll_url, headers=headers)
        try:
            resp = r.json()
            if resp["completed"] is True:
                status = ResponseStatus.SUCCESS
                if "error_message" in resp or "supplierError" in resp:
                    status = ResponseStatus.FAILED
            else:
                status = ResponseStatus.IN_PROGRESS
            raw_status = resp.pop("status", status)
            if isinstance(raw_status, str):
                try:
                    raw_status = ResponseStatus(raw_status)
                except ValueError:
                    raw_status = status
            return ModelResponse(
                status=raw_status,
                data=resp.pop("data", ""),
                details=resp.pop("details", {}),
                completed=resp.pop("completed", False),
                error_message=resp.pop("error_message", ""),
                used_credits=resp.pop("usedCredits", 0),
                run_time=resp.pop("runTime", 0),
                usage=resp.pop("usage", None),
                asset=resp.pop("asset", None),
                error_code=resp.get("error_code", None),
                **resp,
            )
        except Exception as e:
            return ModelResponse(status=ResponseStatus.FAILED, error_message=str(e), completed=False)

    def run(self, data: Union[Text, Dict], name: Text = "model_process", timeout: float = 300, parameters: Optional[Dict] = None, wait_time: float = 0.5) -> ModelResponse:
        start = time.time()
        payload = build_payload(data=data, parameters=parameters)
        url = f"{self.url}/{self.id}".replace("api/v1/execute", "api/v2/execute")
        response = call_run_endpoint(payload=payload, url=url, api_key=self.api_key)
        if response["status"] == "IN_PROGRESS":
            try:
                return self.sync_poll(response["url"], name=name, timeout=timeout, wait_time=wait_time)
            except Exception as e:
                response = {"status": "FAILED", "error_message": f"Error in request for {name} - {e}", "runTime": time.time() - start}
        raw_status = _coerce_status(response.pop("status", ResponseStatus.FAILED))
        return ModelResponse(
            status=raw_status,
            data=response.pop("data", ""),
            details=response.pop("details", {}),
            completed=response.pop("completed", False),
            error_message=response.pop("error_message", ""),
            used_credits=response.pop("usedCredits", 0),
            run_time=response.pop("runTime", 0),
            usage=response.pop("usage", None),
            asset=response.pop("asset", None),
            error_code=response.get("error_code", None),
            **response,
        )

    def run_async(self, data: Union[Text, Dict], name: Text = "model_process", parameters: Optional[Dict] = None) -> ModelResponse:
        url = f"{self.url}/{self.id}"  # not rewritten: v1 async stays on /api/v1/execute
        payload = build_payload(data=data, parameters=parameters)
        response = call_run_endpoint(payload=payload, url=url, api_key=self.api_key)
        raw_status = _coerce_status(response.pop("status", ResponseStatus.FAILED))
        return ModelResponse(
            status=raw_status,
            data=response.pop("data", ""),
            details=response.pop("details", {}),
            completed=response.pop("completed", False),
            error_message=response.pop("error_message", ""),
            url=response.pop("url", None),
            **response,
        )

    def delete(self) -> None:
        try:
            url = urljoin(self.backend_url, f"sdk/models/{self.id}")
            headers = {"Authorization": f"Token {self.api_key}", "Content-Type": "application/json"}
            r = _request_with_retry("delete", url, headers=headers)
            if r.status_code != 200:
                raise Exception()
        except Exception:
            raise Exception("Model Deletion Error: Make sure the model exists and you are the owner.")


class LLM(Model):
    """Dispatch target only (function text-generation)."""


class IndexModel(Model):
    """Dispatch target only (function search)."""


class UtilityModel(Model):
    """Dispatch target only (function utilities with a plain/utility functionType)."""


# --------------------------------------------------------------------------------------------------
# aixplain/v1/modules/model/integration.py
# --------------------------------------------------------------------------------------------------
class BaseAuthenticationParams:
    """pydantic model in the SDK: three Optional[str] fields; a non-string value fails validation."""

    def __init__(self, name: Optional[Text] = None, description: Optional[Text] = None, connector_id: Optional[Text] = None):
        for field, value in (("name", name), ("description", description), ("connector_id", connector_id)):
            if value is not None and not isinstance(value, str):
                raise ValueError(f"1 validation error for BaseAuthenticationParams\n{field}\n  Input should be a valid string")
        self.name = name
        self.description = description
        self.connector_id = connector_id


def build_connector_params(**kwargs) -> BaseAuthenticationParams:
    return BaseAuthenticationParams(name=kwargs.get("name"), description=kwargs.get("description"), connector_id=kwargs.get("connector_id"))


MCP_INTEGRATION_ID = "686eb9cd26480723d0634d3e"


class Integration(Model):
    def __init__(self, id: Text, name: Text, description: Text = "", api_key: Optional[Text] = None, supplier: Any = "aiXplain", version: Optional[Text] = None, function: Optional[Function] = None, is_subscribed: bool = False, cost: Optional[Dict] = None, function_type: Optional[FunctionType] = FunctionType.INTEGRATION, **additional_info) -> None:
        assert function_type == FunctionType.INTEGRATION, "Integration only supports connector function"
        super().__init__(id=id, name=name, description=description, supplier=supplier, version=version, cost=cost, function=function, is_subscribed=is_subscribed, api_key=api_key, function_type=function_type, **additional_info)
        self.url = config.MODELS_RUN_URL
        self.backend_url = config.BACKEND_URL
        # KeyError without `attributes`, IndexError without an `auth_schemes` entry, TypeError when
        # attributes is the v2 map form (iterating a dict yields its keys, which are strings).
        self.authentication_methods = json.loads([item for item in additional_info["attributes"] if item["name"] == "auth_schemes"][0]["code"])

    def connect(self, authentication_schema: Optional[AuthenticationSchema] = None, args: Optional[BaseAuthenticationParams] = None, data: Optional[Union[Dict, Text]] = None, **kwargs) -> ModelResponse:
        if self.id == MCP_INTEGRATION_ID:
            return self.run({"data": data} if data is not None else {"data": {}})
        if authentication_schema is None:
            raise ValueError("authentication_schema is required for this integration. Please provide an AuthenticationSchema value.")
        if args is None:
            args = build_connector_params(**kwargs)
        if authentication_schema.value not in self.authentication_methods:
            raise ValueError(f"Authentication schema {authentication_schema.value} is not supported for this integration. Supported authentication methods: {self.authentication_methods}")
        if data is None:
            data = {}
        if authentication_schema not in [AuthenticationSchema.OAUTH2, AuthenticationSchema.OAUTH1]:
            required_params = json.loads([item for item in self.additional_info["attributes"] if item["name"] == authentication_schema.value + "-inputs"][0]["code"])
            required_params_names = [param["name"] for param in required_params]
            for param in required_params_names:
                if param not in data:
                    if len(required_params_names) == 1:
                        raise ValueError(f"Parameter '{param}' is required for {self.name} {authentication_schema.value} authentication. Please provide the parameter in the data dictionary.")
                    raise ValueError(f"Parameters {required_params_names} are required for {self.name} {authentication_schema.value} authentication. Please provide the parameters in the data dictionary.")
            return self.run({"name": args.name, "description": args.description, "authScheme": authentication_schema.value, "data": data})
        response = self.run({"name": args.name, "description": args.description, "authScheme": authentication_schema.value})
        if "redirectURL" in response.data:
            warnings.warn(f"Before using the tool, please visit the following URL to complete the connection: {response.data['redirectURL']}")
        return response

    def __repr__(self) -> str:
        try:
            return f"Integration: {self.name} by {self.supplier['name']} (id={self.id})"
        except Exception:
            return f"Integration: {self.name} by {self.supplier} (id={self.id})"


# --------------------------------------------------------------------------------------------------
# aixplain/v1/modules/model/connection.py and mcp_connection.py
# --------------------------------------------------------------------------------------------------
class ConnectAction:
    def __init__(self, name: Text, description: Text, code: Optional[Text] = None, inputs: Optional[Dict] = None):
        self.name = name
        self.description = description
        self.code = code
        self.inputs = inputs

    def __repr__(self) -> str:
        return f"Action(code={self.code}, name={self.name})"


class ConnectionTool(Model):
    def __init__(self, id: Text, name: Text, description: Text = "", api_key: Optional[Text] = None, supplier: Any = "aiXplain", version: Optional[Text] = None, function: Optional[Function] = None, is_subscribed: bool = False, cost: Optional[Dict] = None, function_type: Optional[FunctionType] = FunctionType.CONNECTION, **additional_info) -> None:
        assert function_type in (FunctionType.CONNECTION, FunctionType.MCP_CONNECTION), "Connection only supports connection function"
        super().__init__(id=id, name=name, description=description, supplier=supplier, version=version, cost=cost, function=function, is_subscribed=is_subscribed, api_key=api_key, function_type=function_type, **additional_info)
        self.url = config.MODELS_RUN_URL
        self.backend_url = config.BACKEND_URL
        self.actions = self._get_actions()
        self.action_scope = None

    def _get_actions(self) -> List[ConnectAction]:
        response = Model.run(self, {"action": "LIST_ACTIONS", "data": " "})
        if response.status == ResponseStatus.SUCCESS:
            return [ConnectAction(name=action["displayName"], description=action["description"], code=action["name"]) for action in response.data]
        raise Exception(f"It was not possible to get the actions for the connection {self.id}. Error {response.error_code}: {response.error_message}")

    def get_action_inputs(self, action: Union[ConnectAction, Text]):
        if isinstance(action, ConnectAction):
            if action.inputs:
                return action.inputs
            action = action.code
        response = Model.run(self, {"action": "LIST_INPUTS", "data": {"actions": [action]}})
        if response.status == ResponseStatus.SUCCESS:
            try:
                action_data = next((a for a in response.data if a.get("name") == action), None)
                if action_data is None or "inputs" not in action_data:
                    action_data = response.data[0] if response.data else None
                if action_data is None:
                    raise Exception(f"Action '{action}' not found in response")
                inputs = {inp["code"]: inp for inp in action_data["inputs"]}
                idx = next((i for i, a in enumerate(self.actions) if a.code == action), None)
                if idx is not None:
                    self.actions[idx].inputs = inputs
                return inputs
            except Exception as e:
                raise Exception(f"It was not possible to get the inputs for the action {action}. Error {e}")
        return None  # the SDK falls off the end: a non-SUCCESS LIST_INPUTS silently gives None

    def run(self, action: Union[ConnectAction, Text], inputs: Optional[Dict] = None, *, data: Optional[Dict] = None) -> ModelResponse:
        payload = inputs if inputs is not None else data
        if payload is None:
            raise TypeError("run() missing required argument: 'inputs' or 'data'")
        if isinstance(action, ConnectAction):
            action = action.code
        return Model.run(self, {"action": action, "data": payload})

    def __repr__(self) -> str:
        return f"ConnectionTool(id={self.id}, name={self.name})"


class MCPConnection(ConnectionTool):
    def __init__(self, id: Text, name: Text, function_type: Optional[FunctionType] = FunctionType.CONNECTION, **kwargs) -> None:
        assert function_type == FunctionType.MCP_CONNECTION, "Connection only supports mcp connection function"
        super().__init__(id, name, function_type=function_type, **kwargs)

    def _get_actions(self) -> List[ConnectAction]:
        response = Model.run(self, {"action": "LIST_TOOLS", "data": " "})
        if response.status == ResponseStatus.SUCCESS:
            return [ConnectAction(name=action["name"], description=action["description"], code=action["name"]) for action in response.data]
        raise Exception(f"It was not possible to get the actions for the connection {self.id}. Error {response.error_code}: {response.error_message}")


# --------------------------------------------------------------------------------------------------
# aixplain/v1/factories/model_factory/utils.py
# --------------------------------------------------------------------------------------------------
def create_model_from_response(response: Dict) -> Model:
    if "api_key" not in response:
        response["api_key"] = config.TEAM_API_KEY

    parameters = {}
    if "params" in response:
        for param in response["params"]:
            if "language" in param["name"]:
                parameters[param["name"]] = [w["value"] for w in param["values"]]
            else:
                values = [w["value"] for w in param["defaultValues"]]
                if len(values) > 0:
                    parameters[param["name"]] = values

    additional_kwargs = {}
    attributes = response.get("attributes", None)
    if attributes:
        embedding_model = next((item.get("code") for item in attributes if item.get("name") == "embeddingmodel" and "code" in item), None)
        if embedding_model:
            additional_kwargs["embedding_model"] = embedding_model
        embedding_size = next((item.get("value") for item in attributes if item.get("name") == "embeddingSize" and "value" in item), None)
        if embedding_size:
            additional_kwargs["embedding_size"] = embedding_size

    function = Function(response["function"]["id"])
    function_type = FunctionType(response.get("functionType", "ai"))
    input_params, output_params = function.get_input_output_params()
    model_params = {param["name"]: param for param in response["params"]}
    code = response.get("code", "")
    temperature = None

    ModelClass: type = Model
    if function == Function.TEXT_GENERATION:
        ModelClass = LLM
        f = [p for p in response.get("params", []) if p["name"] == "temperature"]
        if len(f) > 0 and len(f[0].get("defaultValues", [])) > 0:
            temperature = float(f[0]["defaultValues"][0]["value"])
    elif function == Function.SEARCH:
        ModelClass = IndexModel
    elif function_type == FunctionType.INTEGRATION:
        ModelClass = Integration
    elif function_type == FunctionType.CONNECTION:
        ModelClass = ConnectionTool
    elif function_type == FunctionType.MCP_CONNECTION:
        ModelClass = MCPConnection
    elif function == Function.UTILITIES:
        ModelClass = UtilityModel
        input_params = model_params
        if not code and not ("version" in response and response["version"]):
            raise Exception("Utility Model Error: Code not found")

    status = AssetStatus(response.get("status", AssetStatus.DRAFT.value))
    created_at = None
    if "createdAt" in response and response["createdAt"]:
        created_at = datetime.fromisoformat(response["createdAt"].replace("Z", "+00:00"))

    return ModelClass(
        response["id"],
        response["name"],
        description=response.get("description", ""),
        code=code if code else "",
        supplier=response["supplier"],
        api_key=response["api_key"],
        cost=response["pricing"],
        function=function,
        created_at=created_at,
        parameters=parameters,
        input_params=input_params,
        output_params=output_params,
        model_params=model_params,
        is_subscribed=True if "subscription" in response else False,
        version=response["version"]["id"],
        inputs=[],
        temperature=temperature,
        supports_streaming=response.get("supportsStreaming", False),
        status=status,
        function_type=function_type,
        attributes=attributes,
        **additional_kwargs,
    )


def get_assets_from_page(query, page_number: int, page_size: int, function: Optional[Function], api_key: Optional[str] = None):
    try:
        url = urljoin(config.BACKEND_URL, "sdk/models/paginate")
        filter_params: Dict[str, Any] = {"q": query, "pageNumber": page_number, "pageSize": page_size}
        if function is not None:
            filter_params["functions"] = [function.value]
        # The paginate call always authenticates with the global key, whatever api_key says.
        headers = {"Authorization": f"Token {config.TEAM_API_KEY}", "Content-Type": "application/json"}
        r = _request_with_retry("post", url, headers=headers, json=filter_params)
        resp = r.json()
    except Exception as e:
        # SDK: returns [] and the caller's `models, total = ...` unpacking then fails.
        raise ValueError(f"not enough values to unpack (expected 2, got 0) [paginate failed: {e}]")
    if 200 <= r.status_code < 300:
        model_list = []
        for model_info_json in resp["items"]:
            model_info_json["api_key"] = config.TEAM_API_KEY if api_key is None else api_key
            model_list.append(create_model_from_response(model_info_json))
        return model_list, resp["total"]
    raise Exception(f"Listing Models Error: Failed to retrieve models. Status Code: {r.status_code}. Error: {resp}")


# --------------------------------------------------------------------------------------------------
# Factories: mixins/model_getter.py, mixins/model_list.py, integration_factory.py
# --------------------------------------------------------------------------------------------------
class ModelGetterMixin:
    @classmethod
    def get(cls, model_id: Optional[Text] = None, name: Optional[Text] = None, api_key: Optional[Text] = None) -> Model:
        if not (model_id or name) or (model_id and name):
            raise ValueError("Must provide exactly one of 'model_id' or 'name'")
        if name:
            raise NotImplementedError("ModelFactory.get(name=...) (sdk/models/by-name) is not part of this replay")
        model_id = model_id.replace("/", "%2F")
        if api_key is None:
            api_key = config.TEAM_API_KEY
        return cls._fetch_model_by_id(model_id, api_key)

    @classmethod
    def _fetch_model_by_id(cls, model_id: Text, api_key: Optional[Text] = None) -> Model:
        resp = None
        try:
            url = urljoin(config.BACKEND_URL, f"sdk/models/{model_id}")
            headers = {"Authorization": f"Token {api_key or config.TEAM_API_KEY}", "Content-Type": "application/json"}
            r = _request_with_retry("get", url, headers=headers)
            resp = r.json()
        except Exception:
            if resp and "statusCode" in resp:
                raise Exception(f"Model Creation: Status {resp['statusCode']} - {resp['message']}")
            raise Exception("Model Creation: Unspecified Error")
        if 200 <= r.status_code < 300:
            resp["api_key"] = config.TEAM_API_KEY
            if api_key is not None:
                resp["api_key"] = api_key
            return create_model_from_response(resp)
        raise Exception(f"Model GET Error: Failed to retrieve model {model_id}. Status Code: {r.status_code}. Error: {resp}")


class ModelListMixin:
    @classmethod
    def list(cls, query: Optional[Text] = "", function: Optional[Function] = None, page_number: int = 0, page_size: int = 20, api_key: Optional[Text] = None) -> Dict:
        models, total = get_assets_from_page(query, page_number, page_size, function, api_key)
        return {"results": models, "page_total": min(page_size, len(models)), "page_number": page_number, "total": total}


class ModelFactory(ModelGetterMixin, ModelListMixin):
    pass


class IntegrationFactory(ModelGetterMixin, ModelListMixin):
    @classmethod
    def get(cls, model_id: Optional[Text] = None, name: Optional[Text] = None, api_key: Optional[Text] = None) -> Integration:  # type: ignore[override]
        if not (model_id or name) or (model_id and name):
            raise ValueError("Must provide exactly one of 'model_id' or 'name'")
        if name:
            result = cls.list(query=name, api_key=api_key)
            for integration in result.get("results", []):
                if integration.name == name:
                    return integration
            raise Exception(f"Integration GET by Name Error: Failed to retrieve integration '{name}'. No integration found with this exact name.")
        model = super().get(model_id=model_id, api_key=api_key)
        assert isinstance(model, Integration), f"The provided identifier ('{model_id}') is not from an integration model"
        return model

    @classmethod
    def list(cls, query: Optional[Text] = "", page_number: int = 0, page_size: int = 20, api_key: Optional[Text] = None, **_ignored) -> Dict:  # type: ignore[override]
        return super().list(function=Function.CONNECTOR, query=query, page_number=page_number, page_size=page_size, api_key=api_key)


# ==================================================================================================
# Scenario runner: a user's script, step by step, reporting OK/FAIL lines.
# ==================================================================================================
class StepFailed(Exception):
    pass


class Reporter:
    def __init__(self, secrets: List[str]):
        # Longest first so a secret containing another is redacted whole.
        self.secrets = sorted({s for s in secrets if isinstance(s, str) and len(s) >= 4}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for s in self.secrets:
            text = text.replace(s, "[REDACTED]")
        return text

    def ok(self, step: str, detail: str = "") -> None:
        print(self.scrub(f"OK {step} {detail}".rstrip()), flush=True)

    def fail(self, step: str, reason: str) -> None:
        print(self.scrub(f"FAIL {step}: {reason}"), flush=True)
        raise SystemExit(1)


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str) if not isinstance(value, str) else value
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "…"


SECRET_INPUTS = {"token", "api_key", "apikey", "password", "secret", "client_secret", "access_token", "refresh_token", "key"}


def _secret_values(data: Any, secret_inputs: set) -> List[str]:
    """Values of credential inputs that are secrets (by input name), to redact from all output."""
    if not isinstance(data, dict):
        return []
    return [str(v) for k, v in data.items() if k.lower() in secret_inputs and v is not None]


class Runner:
    def __init__(self, scenario: Dict, reporter: Reporter):
        self.s = scenario
        self.r = reporter
        self.poll_timeout = float(scenario.get("poll_timeout", 60))

    def step(self, name: str, fn):
        """Runs one step; any exception the SDK path raises is that step's FAIL."""
        try:
            return fn()
        except StepFailed as e:
            self.r.fail(name, str(e))
        except SystemExit:
            raise
        except BaseException as e:  # noqa: BLE001 — report everything, as the user would see it
            self.r.fail(name, f"{type(e).__name__}: {e}")

    def expect_raise(self, name: str, fn, exc_type: type, contains: str) -> str:
        try:
            fn()
        except exc_type as e:
            text = str(e)
            if contains not in text:
                self.r.fail(name, f"{type(e).__name__} raised, but without {contains!r}: {text}")
            return text
        except Exception as e:  # noqa: BLE001
            self.r.fail(name, f"expected {exc_type.__name__} containing {contains!r}, got {type(e).__name__}: {e}")
        self.r.fail(name, f"expected {exc_type.__name__} containing {contains!r}, but nothing was raised")
        return ""

    # ---------------------------------------------------------------------------------------------
    def run(self) -> None:
        self.step("config", _normalize_api_keys)
        if not config.TEAM_API_KEY:
            self.r.fail("config", "TEAM_API_KEY (or AIXPLAIN_API_KEY) is not set")
        self.r.ok("config", f"backend={config.BACKEND_URL} models={config.MODELS_RUN_URL}")

        name = self.s["integration"]
        listed = self.step("integration_list", lambda: IntegrationFactory.list())
        classes = sorted({type(m).__name__ for m in listed["results"]})
        names = [m.name for m in listed["results"]]
        if classes != ["Integration"]:
            self.r.fail("integration_list", f"expected only Integration objects, got {classes}")
        self.r.ok("integration_list", f"total={listed['total']} page_total={listed['page_total']} classes={','.join(classes)} has_target={name in names}")

        integration = self.step("integration_get_by_name", lambda: IntegrationFactory.get(name=name))
        self.r.ok("integration_get_by_name", repr(integration))

        by_id = self.step("integration_get_by_id", lambda: IntegrationFactory.get(model_id=integration.id))
        if by_id.id != integration.id or by_id.name != name:
            self.r.fail("integration_get_by_id", f"got {by_id!r}")
        self.r.ok("integration_get_by_id", repr(by_id))

        if self.s.get("integration_path"):
            by_path = self.step("integration_get_by_path", lambda: IntegrationFactory.get(model_id=self.s["integration_path"]))
            if by_path.id != integration.id:
                self.r.fail("integration_get_by_path", f"{self.s['integration_path']} resolved to {by_path!r}")
            self.r.ok("integration_get_by_path", f"{self.s['integration_path']} -> {by_path.id}")

        methods = integration.authentication_methods
        if "expect_schemes" in self.s and methods != self.s["expect_schemes"]:
            self.r.fail("authentication_methods", f"expected {self.s['expect_schemes']}, got {methods}")
        self.r.ok("authentication_methods", json.dumps(methods))

        errors = self.s.get("expect_errors", {})
        if "unsupported_scheme" in errors:
            scheme = AuthenticationSchema(errors["unsupported_scheme"])
            text = self.expect_raise(
                "error_unsupported_scheme",
                lambda: integration.connect(scheme, data={}, name="never-created"),
                ValueError,
                f"Authentication schema {scheme.value} is not supported for this integration. Supported authentication methods: {methods}",
            )
            self.r.ok("error_unsupported_scheme", f"ValueError: {text}")
        if "missing_parameter" in errors:
            spec = errors["missing_parameter"]
            text = self.expect_raise(
                "error_missing_parameter",
                lambda: integration.connect(AuthenticationSchema(spec["scheme"]), data=dict(spec.get("data", {})), name="never-created"),
                ValueError,
                spec.get("expect", "required for"),
            )
            self.r.ok("error_missing_parameter", f"ValueError: {text}")

        for conn in self.s.get("connections", []):
            self.run_connection(integration, conn)

        if "model_get_404" in errors:
            missing = errors["model_get_404"]
            text = self.expect_raise("error_model_get_404", lambda: ModelFactory.get(missing), Exception, f"Model GET Error: Failed to retrieve model {missing}. Status Code: 404")
            self.r.ok("error_model_get_404", text)
        if "integration_name_missing" in errors:
            missing = errors["integration_name_missing"]
            text = self.expect_raise("error_integration_name_missing", lambda: IntegrationFactory.get(name=missing), Exception, "No integration found with this exact name")
            self.r.ok("error_integration_name_missing", text)
        self.r.ok("done")

    # ---------------------------------------------------------------------------------------------
    def run_connection(self, integration: Integration, conn: Dict) -> None:
        label = conn["label"]
        scheme = AuthenticationSchema(conn["scheme"])
        resp = self.step(
            f"connect[{label}]",
            lambda: integration.connect(scheme, data=dict(conn.get("data", {})), name=conn.get("name"), description=conn.get("description")),
        )
        # ToolFactory.create's own check, then `resp.data["id"]` as every v1 caller does.
        if resp.status != ResponseStatus.SUCCESS:
            self.r.fail(f"connect[{label}]", f"Failed to connect to {integration.id} - {resp.error_message}")
        if not isinstance(resp.data, dict) or not isinstance(resp.data.get("id"), str) or not resp.data["id"]:
            self.r.fail(f"connect[{label}]", f"response.data must be an object with a string id, got {_short(resp.data)}")
        conn_id = resp.data["id"]
        self.r.ok(f"connect[{label}]", f"status={resp.status} id={conn_id} completed={resp.completed}")

        tool = self.step(f"model_get[{label}]", lambda: ModelFactory.get(conn_id))
        if not isinstance(tool, ConnectionTool) or isinstance(tool, MCPConnection):
            self.r.fail(f"model_get[{label}]", f"expected a ConnectionTool, got {type(tool).__name__}")
        if conn.get("name") and tool.name != conn["name"]:
            self.r.fail(f"model_get[{label}]", f"name {tool.name!r} != {conn['name']!r}")
        self.r.ok(f"model_get[{label}]", f"{tool!r} status={tool.status.value} function={tool.function.value} version={tool.version}")

        codes = [a.code for a in tool.actions]
        for expected in conn.get("expect_actions", []):
            if expected not in codes:
                self.r.fail(f"actions[{label}]", f"{expected} missing from {codes}")
        self.r.ok(f"actions[{label}]", ",".join(codes))

        if conn.get("inspect_action"):
            action = conn["inspect_action"]
            # Look the action up the way users do: by code from tool.actions, then by ConnectAction.
            inputs = self.step(f"action_inputs[{label}]", lambda: tool.get_action_inputs(action))
            if inputs is None:
                self.r.fail(f"action_inputs[{label}]", "get_action_inputs returned None (LIST_INPUTS was not SUCCESS)")
            for code in conn.get("expect_inputs", []):
                if code not in inputs:
                    self.r.fail(f"action_inputs[{label}]", f"input {code} missing from {sorted(inputs)}")
            cached = next((a for a in tool.actions if a.code == action), None)
            if cached is None or cached.inputs != inputs:
                self.r.fail(f"action_inputs[{label}]", "inputs were not cached on the matching ConnectAction")
            again = self.step(f"action_inputs[{label}]", lambda: tool.get_action_inputs(cached))
            if inputs and again is not inputs:
                self.r.fail(f"action_inputs[{label}]", "a ConnectAction with cached inputs must not call LIST_INPUTS again")
            required = sorted(code for code, spec in inputs.items() if spec.get("required"))
            self.r.ok(f"action_inputs[{label}]", f"{action} codes={','.join(inputs)} required={','.join(required)}")

        for run in conn.get("runs", []):
            self.run_action(tool, label, run)

        if conn.get("delete", True):
            self.step(f"delete[{label}]", tool.delete)
            self.r.ok(f"delete[{label}]", conn_id)
            text = self.expect_raise(f"deleted_get[{label}]", lambda: ModelFactory.get(conn_id), Exception, "Status Code: 404")
            if not text.startswith("Model GET Error: Failed to retrieve model"):
                self.r.fail(f"deleted_get[{label}]", text)
            self.r.ok(f"deleted_get[{label}]", "Model GET Error … Status Code: 404")
            after = self.step(f"run_after_delete[{label}]", lambda: tool.run(codes[0] if codes else "X", {}))
            if after.status != ResponseStatus.FAILED or not after.error_message.startswith("Resource not found"):
                self.r.fail(f"run_after_delete[{label}]", f"expected a FAILED 'Resource not found' response, got status={after.status} error_message={after.error_message!r}")
            self.r.ok(f"run_after_delete[{label}]", f"status={after.status} error_message={_short(after.error_message, 120)}")

    # ---------------------------------------------------------------------------------------------
    def run_action(self, tool: ConnectionTool, label: str, run: Dict) -> None:
        action = run["action"]
        mode = run.get("mode", "sync")
        expect = run.get("expect_status", "SUCCESS")
        tag = f"{label}:{run.get('tag', action)}"
        inputs = run.get("inputs", {})

        if mode == "sync":
            resp = self.step(f"run[{tag}]", lambda: tool.run(action, inputs))
            self.check_result(f"run[{tag}]", resp, expect, run)
            return

        ack = self.step(f"run_async[{tag}]", lambda: tool.run_async({"action": action, "data": inputs}))
        if ack.status != ResponseStatus.IN_PROGRESS or not ack.url:
            self.r.fail(f"run_async[{tag}]", f"expected IN_PROGRESS with a poll url, got status={ack.status} url={ack.url!r} error_message={ack.error_message!r}")
        if ack.completed is not False:
            self.r.fail(f"run_async[{tag}]", f"v1 reports completed=False for an acknowledgement, got {ack.completed!r}")
        self.r.ok(f"run_async[{tag}]", f"status={ack.status} url={ack.url}")

        first = self.step(f"poll[{tag}]", lambda: tool.poll(ack.url))
        if first.status == ResponseStatus.FAILED and first.completed is False:
            # poll() turns any parse error (e.g. a body without `completed`) into this shape, and
            # sync_poll would then spin until its timeout.
            self.r.fail(f"poll[{tag}]", f"poll body was not usable by v1: {first.error_message}")
        self.r.ok(f"poll[{tag}]", f"completed={first.completed} status={first.status}")

        final = self.step(f"sync_poll[{tag}]", lambda: tool.sync_poll(ack.url, timeout=self.poll_timeout, wait_time=0.2))
        if final.completed is not True:
            self.r.fail(f"sync_poll[{tag}]", f"no completed result within {self.poll_timeout}s: {final.error_message}")
        self.check_result(f"sync_poll[{tag}]", final, expect, run)

    def check_result(self, step: str, resp: ModelResponse, expect: str, run: Dict) -> None:
        if not isinstance(resp.status, ResponseStatus):
            self.r.fail(step, f"status is not a ResponseStatus: {resp.status!r}")
        if resp.status.value != expect:
            self.r.fail(step, f"expected status {expect}, got {resp.status} error_message={resp.error_message!r} data={_short(resp.data)}")
        if expect == "SUCCESS":
            if resp.completed is not True:
                self.r.fail(step, f"a SUCCESS result must say completed=true, got {resp.completed!r}")
            for key, value in run.get("expect_data", {}).items():
                if not isinstance(resp.data, dict) or resp.data.get(key) != value:
                    self.r.fail(step, f"data.{key} expected {value!r}, got {_short(resp.data)}")
            self.r.ok(step, f"status={resp.status} data={_short(resp.data)}")
        else:
            if not resp.error_message:
                self.r.fail(step, "a FAILED result must carry an error_message")
            if run.get("expect_error") and run["expect_error"] not in resp.error_message:
                self.r.fail(step, f"error_message {resp.error_message!r} lacks {run['expect_error']!r}")
            self.r.ok(step, f"status={resp.status} error_message={_short(resp.error_message, 200)}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Replay aiXplain SDK v1 integration flows against a hub.")
    parser.add_argument("scenario", help="path of a JSON scenario file")
    args = parser.parse_args(argv)
    with open(args.scenario, "r", encoding="utf-8") as f:
        scenario = json.load(f)
    secret_inputs = SECRET_INPUTS | {k.lower() for k in scenario.get("secret_inputs", [])}
    secrets = [config.TEAM_API_KEY, config.AIXPLAIN_API_KEY]
    for conn in scenario.get("connections", []):
        secrets += _secret_values(conn.get("data", {}), secret_inputs)
    secrets += _secret_values(scenario.get("expect_errors", {}).get("missing_parameter", {}).get("data", {}), secret_inputs)
    reporter = Reporter(secrets)
    warnings.simplefilter("ignore")  # the SDK's redirect warning would print a URL on stderr
    Runner(scenario, reporter).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
