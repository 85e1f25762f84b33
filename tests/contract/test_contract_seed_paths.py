"""The seeds' older paths the SDK no longer has a method for, validated against the SDK's
current models through its generic request methods."""

from telnyx.types.models_response import ModelsResponse


def test_seed_models_path_answers_like_the_current_one(sdk):
    seed = sdk.get("/ai/models", cast_to=ModelsResponse)
    current = sdk.ai.openai.list_models()
    assert [m.id for m in seed.data] == [m.id for m in current.data]
    assert all(m.context_length > 0 for m in seed.data)
