"""MLflow 3's prompt registry with the real client: prompts are registered models and versions
marked by tags, registered, aliased, loaded and searched, and hidden from model searches."""

import mlflow
import mlflow.genai
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from compat_helpers import assert_mlflow_error, unique
from conftest import client_threads_finished


def test_register_alias_load_and_search_prompts(tracking):
    name = unique("greeting").replace("-", "_")
    v1 = mlflow.genai.register_prompt(name=name, template="Hello {{name}}!", commit_message="first",
                                      tags={"team": "support"})
    v2 = mlflow.genai.register_prompt(name=name, template="Hi {{name}}, how can I help?",
                                      commit_message="friendlier")
    assert (v1.version, v2.version) == (1, 2)

    mlflow.genai.set_prompt_alias(name, alias="production", version=1)

    by_alias = mlflow.genai.load_prompt(f"prompts:/{name}@production")
    assert by_alias.version == 1
    assert by_alias.template == "Hello {{name}}!"
    assert by_alias.format(name="Ada") == "Hello Ada!"
    by_number = mlflow.genai.load_prompt(f"prompts:/{name}/2")
    assert by_number.template == "Hi {{name}}, how can I help?"
    assert by_number.commit_message == "friendlier"
    latest = mlflow.genai.load_prompt(f"prompts:/{name}@latest")
    assert latest.version == 2

    found = mlflow.genai.search_prompts(f"name = '{name}'")
    assert [p.name for p in found] == [name]
    assert found[0].tags.get("team") == "support"

    # The alias moves; what loads follows it.
    mlflow.genai.set_prompt_alias(name, alias="production", version=2)
    assert mlflow.genai.load_prompt(f"prompts:/{name}@production").version == 2

    # Loading links the prompt to the active experiment, in a tag the client writes from a thread.
    client_threads_finished()
    experiment_id = mlflow.tracking.fluent._get_experiment_id()
    linked = MlflowClient().get_prompt(name).tags.get("_mlflow_experiment_ids", "")
    assert experiment_id in linked.strip(",").split(","), linked


def test_chat_prompt_round_trip(tracking):
    name = unique("chat").replace("-", "_")
    messages = [{"role": "system", "content": "You are a {{style}} assistant."},
                {"role": "user", "content": "{{question}}"}]
    mlflow.genai.register_prompt(name=name, template=messages)
    loaded = mlflow.genai.load_prompt(f"prompts:/{name}/1")
    assert loaded.template == messages
    assert loaded.format(style="terse", question="Why?") == [
        {"role": "system", "content": "You are a terse assistant."}, {"role": "user", "content": "Why?"}]


def test_model_searches_hide_prompts_and_prompt_searches_hide_models(tracking):
    client = MlflowClient()
    stem = unique("shared").replace("-", "_")
    model_name, prompt_name = f"{stem}_model", f"{stem}_prompt"
    client.create_registered_model(model_name)
    mlflow.genai.register_prompt(name=prompt_name, template="{{x}}")

    models = client.search_registered_models(f"name LIKE '{stem}%'")
    assert [m.name for m in models] == [model_name]
    prompts = mlflow.genai.search_prompts(f"name LIKE '{stem}%'")
    assert [p.name for p in prompts] == [prompt_name]
    assert client.search_model_versions(f"name = '{prompt_name}'") == []

    # A model and a prompt cannot share a name.
    with pytest.raises(MlflowException):
        mlflow.genai.register_prompt(name=model_name, template="{{x}}")


def test_prompt_sources_must_be_placeholders(tracking, server):
    name = unique("src").replace("-", "_")
    mlflow.genai.register_prompt(name=name, template="{{x}}")
    resp = server.api.post("/api/2.0/mlflow/model-versions/create", {
        "name": name, "source": "file:///etc/passwd",
        "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}, {"key": "mlflow.prompt.text", "value": "x"}],
    })
    assert_mlflow_error(resp, 400, "INVALID_PARAMETER_VALUE", "Invalid prompt source")


def test_long_non_ascii_template_registers_and_loads_back(tracking):
    # The client escapes every non-ASCII character as \uXXXX: 600,000 bytes of template on the wire.
    name = unique("translate").replace("-", "_")
    template = "翻" * 100_000
    version = mlflow.genai.register_prompt(name=name, template=template, commit_message="é" * 30_000)
    assert version.version == 1
    loaded = mlflow.genai.load_prompt(f"prompts:/{name}/1")
    assert loaded.template == template
    assert loaded.commit_message == "é" * 30_000

    with pytest.raises(MlflowException) as err:
        mlflow.genai.register_prompt(name=name, template="翻" * 100_001)
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    assert mlflow.genai.load_prompt(f"prompts:/{name}@latest").version == 1
