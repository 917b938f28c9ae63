"""MoE Atlas Python helper: a client of the HTTP API, capture from PyTorch models, engine-dump
converters and aggregate shards (PRODUCT.md §8). numpy only; torch is imported where needed."""
from ._version import __version__
from .errors import AtlasError
from .client import Client, Run, LayerData
from .formats import write_events, write_safetensors, read_events, Aggregator, aggregate_from_events

__all__ = [
    "__version__",
    "AtlasError",
    "Client",
    "Run",
    "LayerData",
    "write_events",
    "write_safetensors",
    "read_events",
    "Aggregator",
    "aggregate_from_events",
    "capture",
    "describe",
]


def capture(model, **kwargs):
    """`with moe_atlas.capture(model, run=... or out=..., mode="events" | "aggregate"):` records
    the routing of every `model(...)` and `model.generate(...)` call inside (see capture.Capture)."""
    from .torch_capture import Capture  # torch is imported only here

    return Capture(model, **kwargs)


def describe(model, **kwargs) -> dict:
    """The model shape for `Client.create_run(model=...)`, from the routers capture would hook."""
    from .torch_capture import describe as _describe

    return _describe(model, **kwargs)
