"""Finding the router of every MoE layer, and the routing rule each family applies.

Each rule turns one call of the hooked router module into, per token row: top-k expert ids in
gate order (largest weight first; -1 = no expert), the weights as the model applies them, and the
router logits. The rules follow the public transformers implementations:

- Mixtral (models/mixtral/modeling_mixtral.py, MixtralSparseMoeBlock, v4.46): logits = gate(x),
  softmax in float32, top-k, renormalized to sum 1.
- Qwen2-MoE / Qwen1.5-MoE (models/qwen2_moe/modeling_qwen2_moe.py, Qwen2MoeSparseMoeBlock),
  Qwen3-MoE (models/qwen3_moe/modeling_qwen3_moe.py), OLMoE (models/olmoe/modeling_olmoe.py):
  the same with renormalization only when `norm_topk_prob` (False for Qwen1.5-MoE-A2.7B and
  OLMoE-1B-7B, True for Qwen3-30B-A3B). The shared expert is not routed and not recorded.
  transformers v5 moved the gate into a `*TopKRouter` module with a `weight` parameter and
  `top_k` / `norm_topk_prob` attributes; both layouts are recognised.
- DeepSeek-V3 (models/deepseek_v3/modeling_deepseek_v3.py, DeepseekV3TopkRouter, commit
  00b676f8): logits = x @ W^T in float32, scores = sigmoid; selection on scores +
  e_score_correction_bias: group score = sum of the 2 best in each of n_group groups, keep
  topk_group groups, top-k inside them; weights = the *unbiased* scores gathered, divided by
  their sum (+1e-20) when norm_topk_prob, times routed_scaling_factor.
- DeepSeek-V2 (deepseek-ai/DeepSeek-V2 modeling_deepseek.py, MoEGate; and transformers'
  models/deepseek_v2/modeling_deepseek_v2.py, DeepseekV2Moe, commit 0233e509, whose gate is an
  nn.Linear it never calls and whose settings live on the block): softmax scores;
  topk_method "greedy" or "group_limited_greedy" (group score = the group's max); weights
  renormalized when norm_topk_prob (+1e-20), else times routed_scaling_factor. The remote-code
  DeepSeek-V3 MoEGate (scoring_func "sigmoid", topk_method "noaux_tc") follows the V3 rule.
  DeepSeek's top-k is unsorted (sorted=False); ids are put in gate order here.
- Switch Transformers (models/switch_transformers/modeling_switch_transformers.py,
  SwitchTransformersTop1Router): softmax, argmax (top-1), tokens past expert_capacity (a
  cumulative count along the sequence) are dropped: recorded as -1 with weight 0 (the model
  still scales the unchanged hidden state by the max probability; no expert ran).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from torch import nn

Routing = Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]  # ids [N,k], weights [N,k], logits [N,E]
Rule = Callable[[nn.Module, tuple, object], Routing]


@dataclass
class RouterSpec:
    name: str
    module: nn.Module
    rule: Rule
    experts: int
    top_k: int
    family: str
    stream: str = "main"  # "encoder" / "decoder" for encoder-decoder models (Switch)
    model_layer: Optional[int] = None
    extra: dict = field(default_factory=dict)


def _gate_order(ids: torch.Tensor, w: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """Puts slots in gate order: largest weight first (stable, so ties keep the model's order)."""
    order = torch.sort(w, dim=-1, descending=True, stable=True).indices
    return ids.gather(-1, order), w.gather(-1, order)


def softmax_topk(top_k: int, renormalize: bool) -> Rule:
    """The rule of Mixtral / Qwen-MoE / OLMoE: softmax over the gate's logits, top-k, optional
    renormalization. Usable for custom models: `capture(model, routers=..., rule=softmax_topk(2, True))`."""

    def rule(module: nn.Module, inputs: tuple, output) -> Routing:
        if isinstance(output, torch.Tensor):
            logits = output
        else:  # a v5-style router module: recompute its logits from its weight
            x = inputs[0]
            logits = F.linear(x.reshape(-1, x.shape[-1]), module.weight, getattr(module, "bias", None))
        logits = logits.reshape(-1, logits.shape[-1])
        probs = F.softmax(logits, dim=-1, dtype=torch.float)
        w, ids = torch.topk(probs, top_k, dim=-1)
        if renormalize:
            w = w / w.sum(dim=-1, keepdim=True)
        return ids, w, logits.float()

    return rule


def sigmoid_topk(top_k: int, renormalize: bool, bias: Optional[torch.Tensor] = None, scale: float = 1.0) -> Rule:
    """Sigmoid scores, top-k on scores + bias (selection only), weights from the unbiased scores."""

    def rule(module, inputs, output) -> Routing:
        logits = output if isinstance(output, torch.Tensor) else F.linear(inputs[0].reshape(-1, inputs[0].shape[-1]).float(), module.weight.float())
        logits = logits.reshape(-1, logits.shape[-1]).float()
        s = logits.sigmoid()
        choice = s + bias if bias is not None else s
        ids = torch.topk(choice, top_k, dim=-1).indices
        w = s.gather(1, ids)
        if renormalize:
            w = w / (w.sum(dim=-1, keepdim=True) + 1e-20)
        ids, w = _gate_order(ids, w * scale)
        return ids, w, logits

    return rule


def _deepseek_rule(block: nn.Module) -> Tuple[Rule, int, int]:
    """DeepSeek's routing, computed from the MoE block's input. The block is hooked rather than its
    gate: transformers' native DeepseekV2Moe never calls its `gate` (it applies gate.weight with
    F.linear), and keeps the routing settings on the block, not the gate."""
    gate = block.gate

    def opt(*names, default=None):
        for obj in (gate, block):
            for n in names:
                v = getattr(obj, n, None)
                if v is not None and not isinstance(v, nn.Module):
                    return v
        return default

    E = int(opt("n_routed_experts", "num_experts", default=gate.weight.shape[0]))
    k = int(opt("top_k", "num_experts_per_tok"))
    bias = opt("e_score_correction_bias")
    v3 = bias is not None or opt("scoring_func", default="softmax") == "sigmoid"
    n_group = int(opt("n_group", "num_group", default=1) or 1)
    topk_group = int(opt("topk_group", default=n_group) or n_group)
    scale = float(opt("routed_scaling_factor", default=1.0))
    norm = bool(opt("norm_topk_prob", default=False))
    method = opt("topk_method", default="greedy")

    def rule(module, inputs, output) -> Routing:
        x = inputs[0]
        h = x.reshape(-1, x.shape[-1])
        logits = F.linear(h.float(), gate.weight.float())
        b = getattr(gate, "e_score_correction_bias", None)
        if v3:
            scores = logits.sigmoid()
            choice = scores + b.float().unsqueeze(0) if b is not None else scores
            group_scores = choice.view(-1, n_group, E // n_group).topk(min(2, E // n_group), dim=-1)[0].sum(dim=-1)
        else:
            scores = logits.softmax(dim=-1, dtype=torch.float32)
            choice = scores
            group_scores = choice.view(-1, n_group, E // n_group).max(dim=-1).values if method == "group_limited_greedy" else None
        if group_scores is not None and n_group > 1:
            group_idx = torch.topk(group_scores, k=topk_group, dim=-1, sorted=False)[1]
            mask = torch.zeros_like(group_scores).scatter_(1, group_idx, 1)
            mask = mask.unsqueeze(-1).expand(-1, n_group, E // n_group).reshape(-1, E)
            choice = choice.masked_fill(~mask.bool(), 0.0)
        ids = torch.topk(choice, k=k, dim=-1, sorted=False)[1]
        w = scores.gather(1, ids)
        if v3:
            if norm:
                w = w / (w.sum(dim=-1, keepdim=True) + 1e-20)
            w = w * scale
        elif k > 1 and norm:
            w = w / (w.sum(dim=-1, keepdim=True) + 1e-20)
        else:
            w = w * scale
        ids, w = _gate_order(ids, w)
        return ids, w, logits

    rule.describe = {"router": "sigmoid" if v3 else "softmax", "renormalize": bool(norm and scale == 1.0)}
    return rule, E, k


def _switch_rule(module, inputs, output) -> Routing:
    expert_mask, probs, logits = output[0], output[1], output[2]
    E = expert_mask.shape[-1]
    m = expert_mask.reshape(-1, E)
    kept = m.any(dim=-1)
    ids = torch.where(kept, m.argmax(dim=-1), torch.full_like(kept, -1, dtype=torch.long)).unsqueeze(-1)
    w = torch.where(kept.unsqueeze(-1), probs.reshape(-1, 1).float(), torch.zeros(1))
    return ids, w, logits.reshape(-1, E).float()


_LAYER_RE = re.compile(r"(?:^|\.)(?:layers|block|h|blocks)\.(\d+)(?:\.|$)")


def _model_layer(name: str) -> Optional[int]:
    m = _LAYER_RE.search(name)
    return int(m.group(1)) if m else None


def _config(model: nn.Module):
    return getattr(model, "config", None)


def _attr(obj, *names, default=None):
    for n in names:
        if obj is not None and getattr(obj, n, None) is not None:
            return getattr(obj, n)
    return default


_SOFTMAX_BLOCKS = {
    "MixtralSparseMoeBlock": ("mixtral", True),
    "Qwen2MoeSparseMoeBlock": ("qwen2_moe", None),
    "Qwen3MoeSparseMoeBlock": ("qwen3_moe", None),
    "OlmoeSparseMoeBlock": ("olmoe", None),
}
_DEEPSEEK_BLOCKS = {"DeepseekV3MoE", "DeepseekV2MoE", "DeepseekV2Moe", "DeepseekMoE"}


def discover(model: nn.Module) -> List[RouterSpec]:
    """The routers of every MoE layer, in model order, for the transformers families above."""
    cfg = _config(model)
    specs: List[RouterSpec] = []
    for name, mod in model.named_modules():
        cls = type(mod).__name__
        if cls in _SOFTMAX_BLOCKS:
            family, renorm = _SOFTMAX_BLOCKS[cls]
            gate = mod.gate
            k = int(_attr(mod, "top_k", default=None) or _attr(gate, "top_k", default=None) or _attr(cfg, "num_experts_per_tok"))
            if renorm is None:  # the block's flag (v4), the router's (v5), else the config's
                renorm = bool(_attr(mod, "norm_topk_prob", default=None) if _attr(mod, "norm_topk_prob") is not None
                              else _attr(gate, "norm_topk_prob", default=None) if _attr(gate, "norm_topk_prob") is not None
                              else _attr(cfg, "norm_topk_prob", default=False))
            E = int(gate.out_features if isinstance(gate, nn.Linear) else gate.weight.shape[0])
            specs.append(RouterSpec(f"{name}.gate", gate, softmax_topk(k, renorm), E, k, family, model_layer=_model_layer(name), extra={"router": "softmax", "renormalize": renorm}))
        elif cls in _DEEPSEEK_BLOCKS and hasattr(mod, "gate"):
            rule, E, k = _deepseek_rule(mod)
            specs.append(RouterSpec(name, mod, rule, E, k, "deepseek", model_layer=_model_layer(name), extra=dict(rule.describe)))
        elif cls == "SwitchTransformersSparseMLP":
            router = mod.router
            E = int(router.classifier.out_features)
            stream = "decoder" if re.search(r"(?:^|\.)decoder\.", name) else "encoder"
            specs.append(RouterSpec(f"{name}.router", router, _switch_rule, E, 1, "switch", stream=stream, model_layer=_model_layer(name),
                                    extra={"router": "softmax", "renormalize": False}))
    # Encoder layers first, then decoder layers: the order of a forward pass.
    specs.sort(key=lambda s: {"main": 0, "encoder": 0, "decoder": 1}[s.stream])
    return specs


def custom(model: nn.Module, routers: Union[Sequence[nn.Module], Callable[[str, nn.Module], bool]], rule: Rule, experts: Optional[int] = None,
           top_k: Optional[int] = None) -> List[RouterSpec]:
    """Routers for any other model: a list of modules (in layer order) or a predicate
    `(name, module) -> bool`, and a rule `(module, inputs, output) -> (ids [N,k], weights [N,k],
    logits [N,E] or None)`, e.g. softmax_topk(k, renormalize) for a Linear gate."""
    names = {id(m): n for n, m in model.named_modules()}
    mods = [m for n, m in model.named_modules() if routers(n, m)] if callable(routers) else list(routers)
    if not mods:
        raise ValueError("no router modules matched")
    out = []
    for m in mods:
        E = experts or (m.out_features if isinstance(m, nn.Linear) else None)
        if E is None:
            raise ValueError(f"experts= is needed: cannot tell the expert count of {type(m).__name__}")
        out.append(RouterSpec(names.get(id(m), type(m).__name__), m, rule, int(E), int(top_k or 0), "custom", model_layer=_model_layer(names.get(id(m), ""))))
    return out
