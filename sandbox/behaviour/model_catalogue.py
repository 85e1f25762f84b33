"""The fixed catalogue of models the sandbox advertises (shape: the SDK's ModelMetadata)."""

from datetime import UTC, datetime

from sandbox.api import iso

_CREATED = iso(datetime(2024, 7, 23, tzinfo=UTC))


def _model(id_, *, org, params, ctx, tier, license_, vision=False, fine_tunable=False,
           recommended=True, task="text-generation", languages=("en",), max_out=4096, price=("0.20", "0.20")):
    return {
        "id": id_,
        "object": "model",
        "created": _CREATED,
        "owned_by": org.lower(),
        "organization": org,
        "context_length": ctx,
        "parameters": params,
        "parameters_str": f"{params / 1e9:g}B" if params else "unknown",
        "tier": tier,
        "license": license_,
        "languages": list(languages),
        "description": f"{id_.split('/')[-1]} served by Telnyx Inference.",
        "is_fine_tunable": fine_tunable,
        "is_vision_supported": vision,
        "recommended_for_assistants": recommended,
        "max_completion_tokens": max_out,
        "pricing": {"input_per_million": price[0], "output_per_million": price[1]},
        "regions": ["USA", "EU"],
        "service_tiers": ["default", "flex"],
        "task": task,
    }


MODELS = [
    _model("meta-llama/Meta-Llama-3.1-8B-Instruct", org="Meta", params=8_000_000_000, ctx=131072,
           tier="small", license_="llama3.1", fine_tunable=True, price=("0.05", "0.05")),
    _model("meta-llama/Meta-Llama-3.1-70B-Instruct", org="Meta", params=70_000_000_000, ctx=131072,
           tier="medium", license_="llama3.1", fine_tunable=True, price=("0.40", "0.40")),
    _model("meta-llama/Llama-3.3-70B-Instruct", org="Meta", params=70_000_000_000, ctx=131072,
           tier="medium", license_="llama3.3", price=("0.40", "0.40")),
    _model("Qwen/Qwen3-235B-A22B", org="Qwen", params=235_000_000_000, ctx=32768, tier="large",
           license_="apache-2.0", languages=("en", "zh"), price=("0.60", "0.60")),
    _model("mistralai/Mistral-7B-Instruct-v0.3", org="Mistral AI", params=7_000_000_000, ctx=32768,
           tier="small", license_="apache-2.0", recommended=False, price=("0.05", "0.05")),
    _model("google/gemma-3-27b-it", org="Google", params=27_000_000_000, ctx=131072, tier="medium",
           license_="gemma", vision=True, price=("0.25", "0.25")),
    _model("openai/gpt-4o", org="OpenAI", params=0, ctx=128000, tier="unlisted", license_="proprietary",
           vision=True, max_out=16384, price=("2.50", "10.00")),
    _model("openai/gpt-4o-mini", org="OpenAI", params=0, ctx=128000, tier="unlisted",
           license_="proprietary", vision=True, max_out=16384, price=("0.15", "0.60")),
    _model("anthropic/claude-3-5-sonnet", org="Anthropic", params=0, ctx=200000, tier="unlisted",
           license_="proprietary", vision=True, max_out=8192, price=("3.00", "15.00")),
    _model("anthropic/claude-3-5-haiku", org="Anthropic", params=0, ctx=200000, tier="unlisted",
           license_="proprietary", max_out=8192, price=("0.80", "4.00")),
]

MODEL_IDS = [m["id"] for m in MODELS]
