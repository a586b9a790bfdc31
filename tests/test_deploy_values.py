"""deploy/jupyterhub-values.yaml is a values file the Zero to JupyterHub chart accepts, and agrees with our code.

Helm merges a values file over the chart's values.yaml and validates the result against the chart's
values.schema.yaml before it renders anything; these tests do the same with the chart's own files, read from
``../shared/reference/z2jh/`` (never copied into this project), so a misspelt or mistyped key fails here the
way ``helm install`` would fail on a cluster.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

# Our own modules, imported like any other: a broken or missing one (or a missing hub extra, which `make test`
# installs) fails this file instead of skipping the comparisons below.
from therapy_workshop.hub import config, login, room_service
from therapy_workshop.shell import access

REPO = Path(__file__).resolve().parents[1]
CHART = REPO.parent / "shared" / "reference" / "z2jh"
VALUES_FILE = REPO / "deploy" / "jupyterhub-values.yaml"

APP_URL = "/voila/render/notebooks/app.ipynb"
AUTHENTICATOR = "therapy_workshop.hub.login.WorkshopAuthenticator"
ROOM_ACCESS = "access:services!service=room"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="module")
def chart() -> tuple[dict[str, Any], dict[str, Any]]:
    """The chart's default values and its schema; missing files fail in CI and skip elsewhere."""
    defaults_file, schema_file = CHART / "values.yaml", CHART / "values.schema.yaml"
    if not (defaults_file.is_file() and schema_file.is_file()):
        reason = (
            f"the Zero to JupyterHub chart's values.yaml and values.schema.yaml are not in {CHART}; "
            "they are read from there (../shared/reference/z2jh/ beside the project), never copied into it"
        )
        if _in_ci():
            pytest.fail(f"CI must provide them: {reason}")
        pytest.skip(reason)
    return yaml.safe_load(defaults_file.read_text()), yaml.safe_load(schema_file.read_text())


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    loaded = yaml.safe_load(VALUES_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def helm_merge(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Coalesce ``overrides`` over ``defaults`` as Helm does with ``--values``.

    Mappings merge key by key, all the way down; anything else (lists too) replaces the default; a null in the
    user's file deletes the chart's key.
    """
    merged = copy.deepcopy(dict(defaults))
    for key, value in overrides.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def schema_errors(schema: dict[str, Any], instance: dict[str, Any]) -> list[jsonschema.ValidationError]:
    """Every error the schema finds, checked with the JSON Schema draft the schema declares (else draft 7)."""
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    validator_class.check_schema(schema)
    return sorted(validator_class(schema).iter_errors(instance), key=lambda error: list(error.absolute_path))


def _report(errors: list[jsonschema.ValidationError]) -> str:
    return "\n".join(f"{'.'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}" for error in errors)


# --- Helm's merge, as these tests do it ----------------------------------------------------------------------


def test_helm_merge_merges_mappings_replaces_the_rest_and_deletes_on_null() -> None:
    defaults = {"a": {"b": 1, "c": [1, 2], "d": {"e": 1}}, "keep": True, "gone": {"x": 1}}
    overrides = {"a": {"c": [3], "d": {"f": 2}}, "gone": None, "new": "n"}
    assert helm_merge(defaults, overrides) == {
        "a": {"b": 1, "c": [3], "d": {"e": 1, "f": 2}},
        "keep": True,
        "new": "n",
    }
    assert defaults["a"]["c"] == [1, 2]  # the chart's defaults are not changed


# --- (a) the file is valid for the chart -----------------------------------------------------------------------


def test_values_file_is_valid_for_the_chart(chart: tuple[dict[str, Any], dict[str, Any]], values: dict) -> None:
    defaults, schema = chart
    errors = schema_errors(schema, helm_merge(defaults, values))
    assert not errors, _report(errors)


# --- (b) a misspelt key fails, with the schema's own message -------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key", "misspelt"),
    [("singleuser", "defaultUrl", "defaultURL"), ("cull", "enabled", "enabeld")],
)
def test_a_misspelt_key_fails_as_helm_would(
    chart: tuple[dict[str, Any], dict[str, Any]], values: dict, section: str, key: str, misspelt: str
) -> None:
    defaults, schema = chart
    broken = copy.deepcopy(values)
    broken[section][misspelt] = broken[section].pop(key)
    errors = schema_errors(schema, helm_merge(defaults, broken))
    assert [(list(error.absolute_path), error.message) for error in errors] == [
        ([section], f"Additional properties are not allowed ('{misspelt}' was unexpected)")
    ]


# --- (c) a wrong type fails -----------------------------------------------------------------------------------


def test_a_wrong_type_fails(chart: tuple[dict[str, Any], dict[str, Any]], values: dict) -> None:
    defaults, schema = chart
    broken = copy.deepcopy(values)
    broken["singleuser"]["startTimeout"] = "10 minutes"
    broken["cull"]["users"] = "yes"
    errors = schema_errors(schema, helm_merge(defaults, broken))
    assert [(list(error.absolute_path), error.message) for error in errors] == [
        (["cull", "users"], "'yes' is not of type 'boolean', 'null'"),
        (["singleuser", "startTimeout"], "'10 minutes' is not of type 'integer', 'null'"),
    ]


# --- (d) the file agrees with the code --------------------------------------------------------------------


def _source_text() -> str:
    return "\n".join(path.read_text() for path in sorted((REPO / "src").rglob("*.py")))


def test_the_app_url_is_the_app_notebook(values: dict) -> None:
    assert values["singleuser"]["defaultUrl"] == APP_URL
    assert (REPO / APP_URL.removeprefix("/voila/render/")).is_file()


def test_the_names_it_uses_are_the_codes_names(values: dict) -> None:
    hub, singleuser = values["hub"], values["singleuser"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == AUTHENTICATOR
    assert set(hub["services"]) == {"room"}
    # Every environment variable the file sets is one the code reads.
    source = _source_text()
    names = [*hub["extraEnv"], *singleuser["extraEnv"], *hub["services"]["room"]["environment"]]
    assert names == [
        "FACILITATOR_KEY",
        "THERAPY_WORKSHOP_ROOM_URL",
        "THERAPY_WORKSHOP_ROOM_DB",
        "THERAPY_WORKSHOP_ROOM_BIND",
        "THERAPY_WORKSHOP_ROOT",
    ]
    for name in names:
        assert f'"{name}"' in source, f"{name} is set in the values file but no module names it"


def test_users_and_servers_may_reach_the_room_and_the_service_has_its_scopes(values: dict) -> None:
    roles = values["hub"]["loadRoles"]
    assert roles["user"]["scopes"] == room_service.USER_ROLE_SCOPES  # the same role make hub and TLJH give
    server_scopes = ["users:activity!user", "access:servers!server", ROOM_ACCESS]
    assert roles["server"]["scopes"] == server_scopes
    assert values["hub"]["config"]["Spawner"]["server_token_scopes"] == server_scopes
    assert roles["room-service"]["services"] == ["room"]
    assert roles["room-service"]["scopes"] == ["read:users:name", "read:users:groups"]


def test_one_room_port_through_service_network_policies_and_kernel_address(values: dict) -> None:
    hub, singleuser = values["hub"], values["singleuser"]
    service_url = urlsplit(hub["services"]["room"]["url"])
    room_url = singleuser["extraEnv"]["THERAPY_WORKSHOP_ROOM_URL"]
    kernel_url = urlsplit(room_url)
    port = service_url.port
    assert service_url.hostname == kernel_url.hostname == "hub"  # the hub's Kubernetes Service
    assert kernel_url.port == port
    assert kernel_url.path == f"{hub.get('baseUrl', '/')}services/room/"
    assert [(p["port"], p["targetPort"]) for p in hub["service"]["extraPorts"]] == [(port, port)]
    ingress_ports = [p["port"] for rule in hub["networkPolicy"]["ingress"] for p in rule["ports"]]
    assert ingress_ports == [port]
    # The hub accepts the room port from the label every user pod (and the proxy pod) carries by default.
    assert hub["networkPolicy"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"] == {
        "hub.jupyter.org/network-access-hub": "true"
    }
    for egress in (singleuser["networkPolicy"]["egress"], values["proxy"]["chp"]["networkPolicy"]["egress"]):
        assert [p["port"] for rule in egress for p in rule["ports"]] == [port]
        assert egress[0]["to"][0]["podSelector"]["matchLabels"]["component"] == "hub"


def test_values_match_the_hub_modules(values: dict) -> None:
    assert f"{login.__name__}.{login.WorkshopAuthenticator.__name__}" == AUTHENTICATOR
    assert values["singleuser"]["defaultUrl"] == "/" + login.APP_PATH
    assert values["hub"]["config"]["Authenticator"]["admin_users"] == [login.FACILITATOR_USER]
    assert config.ROOM_URL_VARIABLE in values["singleuser"]["extraEnv"]
    assert values["hub"]["config"]["Spawner"]["server_token_scopes"] == config.SERVER_TOKEN_SCOPES


def test_values_match_the_room_service(values: dict) -> None:
    assert values["hub"]["services"] == {room_service.SERVICE_NAME: values["hub"]["services"]["room"]}
    assert values["hub"]["loadRoles"]["room-service"]["scopes"] == list(room_service.SERVICE_SCOPES)
    command = values["hub"]["services"]["room"]["command"]
    assert command[1:] == ["-m", room_service.__name__]


def test_the_facilitator_key_snippet_sets_the_digest_the_login_compares(
    values: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from traitlets.config import Config

    (snippet,) = values["hub"]["extraConfig"].values()
    key = "k" * 22 + "-_0"
    monkeypatch.setenv(access.KEY_VARIABLE, key)
    monkeypatch.setenv(access.DIGEST_VARIABLE, "")  # the snippet sets it; monkeypatch restores it afterwards
    c = Config()
    exec(compile(snippet, "therapy-workshop-facilitator-key.py", "exec"), {"c": c})
    assert c.WorkshopAuthenticator.facilitator_key_digest == access.digest(key)
    assert access.KEY_VARIABLE not in os.environ  # taken out: the hub's services and servers never see it

    monkeypatch.setenv(access.KEY_VARIABLE, "short")
    with pytest.raises(access.FacilitatorKeyError, match="at least 22"):
        exec(compile(snippet, "therapy-workshop-facilitator-key.py", "exec"), {"c": Config()})

    monkeypatch.delenv(access.KEY_VARIABLE, raising=False)
    c = Config()
    exec(compile(snippet, "therapy-workshop-facilitator-key.py", "exec"), {"c": c})
    assert "facilitator_key_digest" not in c.WorkshopAuthenticator  # no key: the link stays off


def test_hub_image_dockerfile_builds_on_the_charts_hub_image() -> None:
    dockerfile = (REPO / "deploy" / "hub-image" / "Dockerfile").read_text()
    assert re.search(r"^FROM quay\.io/jupyterhub/k8s-hub:\$\{K8S_HUB_TAG\}$", dockerfile, re.MULTILINE)
    assert "jupyterhub-tmpauthenticator" in dockerfile
    assert re.search(r"^COPY src ", dockerfile, re.MULTILINE)
