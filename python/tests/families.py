"""Tiny torch modules built to the module structure and forward semantics of each transformers MoE
family, so that router discovery and the routing rules are tested against the real layouts:

- MixtralSparseMoeBlock: transformers src/transformers/models/mixtral/modeling_mixtral.py (v4.46):
  `gate` nn.Linear(hidden, E, bias=False), `experts` ModuleList, softmax(float) -> topk -> /= sum.
- Qwen2MoeSparseMoeBlock: models/qwen2_moe/modeling_qwen2_moe.py (v4.46): plus `shared_expert`
  and `shared_expert_gate` (sigmoid), renormalized only if `norm_topk_prob`.
- Qwen2MoeSparseMoeBlockV5: the v5 layout, `gate` = Qwen2MoeTopKRouter with `weight`, `top_k`,
  `norm_topk_prob`, returning (router_scores, router_indices).
- Qwen3MoeSparseMoeBlock / OlmoeSparseMoeBlock: models/qwen3_moe, models/olmoe (v4.46), as Qwen2.
- DeepseekV3MoE + DeepseekV3TopkRouter: models/deepseek_v3/modeling_deepseek_v3.py (commit
  00b676f8), copied in behaviour: sigmoid, e_score_correction_bias, n_group/topk_group, scaling.
- DeepseekV2MoE + MoEGate: deepseek-ai/DeepSeek-V2 modeling_deepseek.py (softmax,
  group_limited_greedy, routed_scaling_factor); DeepseekV2Moe: transformers' native port
  (models/deepseek_v2/modeling_deepseek_v2.py, commit 0233e509), fused experts, gate never called.
- SwitchTransformersSparseMLP + SwitchTransformersTop1Router:
  models/switch_transformers/modeling_switch_transformers.py (v4.46): argmax, capacity mask by
  cumsum along the sequence, `hidden_states = router_probs * next_states`.
Each block also keeps `last_routing` = (ids, weights) exactly as it applied them, for the tests.
"""
from __future__ import annotations

from types import SimpleNamespace

import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    def __init__(self, h, f):
        super().__init__()
        self.gate_proj, self.up_proj, self.down_proj = nn.Linear(h, f, bias=False), nn.Linear(h, f, bias=False), nn.Linear(f, h, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


def _dispatch(experts, x, ids, w):
    out = torch.zeros_like(x)
    mask = F.one_hot(ids, num_classes=len(experts)).permute(2, 1, 0)
    for e in range(len(experts)):
        idx, top = torch.where(mask[e])
        if top.numel():
            out.index_add_(0, top, experts[e](x[top]) * w[top, idx, None].to(x.dtype))
    return out


class _SoftmaxBlock(nn.Module):
    shared = False

    def __init__(self, c):
        super().__init__()
        self.num_experts, self.top_k, self.norm_topk_prob = c.num_experts, c.num_experts_per_tok, c.norm_topk_prob
        self.gate = nn.Linear(c.hidden_size, c.num_experts, bias=False)
        self.experts = nn.ModuleList([MLP(c.hidden_size, c.moe_intermediate_size) for _ in range(c.num_experts)])
        if self.shared:
            self.shared_expert = MLP(c.hidden_size, c.moe_intermediate_size * 2)
            self.shared_expert_gate = nn.Linear(c.hidden_size, 1, bias=False)

    def forward(self, hidden_states):
        b, s, h = hidden_states.shape
        x = hidden_states.view(-1, h)
        router_logits = self.gate(x)
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights, self.top_k, dim=-1)
        if getattr(self, "norm_topk_prob", True):
            routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
        routing_weights = routing_weights.to(x.dtype)
        self.last_routing = (selected_experts, routing_weights)
        out = _dispatch(self.experts, x, selected_experts, routing_weights)
        if self.shared:
            out = out + torch.sigmoid(self.shared_expert_gate(x)) * self.shared_expert(x)
        return out.view(b, s, h), router_logits


class MixtralSparseMoeBlock(_SoftmaxBlock):
    def __init__(self, c):
        super().__init__(c)
        del self.norm_topk_prob  # Mixtral always renormalizes and has no such attribute


class Qwen2MoeSparseMoeBlock(_SoftmaxBlock):
    shared = True


class Qwen3MoeSparseMoeBlock(_SoftmaxBlock):
    pass


class OlmoeSparseMoeBlock(_SoftmaxBlock):
    pass


class Qwen2MoeTopKRouter(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.top_k, self.num_experts, self.norm_topk_prob, self.hidden_dim = c.num_experts_per_tok, c.num_experts, c.norm_topk_prob, c.hidden_size
        self.weight = nn.Parameter(torch.randn(self.num_experts, self.hidden_dim) * 0.5)

    def forward(self, hidden_states):
        hidden_states = hidden_states.reshape(-1, self.hidden_dim)
        router_logits = F.linear(hidden_states, self.weight)
        router_logits = F.softmax(router_logits, dtype=torch.float, dim=-1)
        top, idx = torch.topk(router_logits, self.top_k, dim=-1)
        if self.norm_topk_prob:
            top /= top.sum(dim=-1, keepdim=True)
        return torch.zeros_like(router_logits).scatter_(1, idx, top), idx


class Qwen2MoeSparseMoeBlockV5(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate = Qwen2MoeTopKRouter(c)
        self.experts = nn.ModuleList([MLP(c.hidden_size, c.moe_intermediate_size) for _ in range(c.num_experts)])

    def forward(self, hidden_states):
        b, s, h = hidden_states.shape
        x = hidden_states.view(-1, h)
        scores, idx = self.gate(x)
        w = scores.gather(1, idx)
        self.last_routing = (idx, w)
        return _dispatch(self.experts, x, idx, w).view(b, s, h)


Qwen2MoeSparseMoeBlockV5.__name__ = "Qwen2MoeSparseMoeBlock"


class DeepseekV3TopkRouter(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.top_k, self.n_routed_experts, self.routed_scaling_factor = c.num_experts_per_tok, c.n_routed_experts, c.routed_scaling_factor
        self.n_group, self.topk_group, self.norm_topk_prob = c.n_group, c.topk_group, c.norm_topk_prob
        self.weight = nn.Parameter(torch.randn(self.n_routed_experts, c.hidden_size) * 0.5)
        self.register_buffer("e_score_correction_bias", torch.zeros(self.n_routed_experts))

    @torch.no_grad()
    def get_topk_indices(self, scores):
        scores_for_choice = scores.view(-1, self.n_routed_experts) + self.e_score_correction_bias.unsqueeze(0)
        group_scores = scores_for_choice.view(-1, self.n_group, self.n_routed_experts // self.n_group).topk(2, dim=-1)[0].sum(dim=-1)
        group_idx = torch.topk(group_scores, k=self.topk_group, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores)
        group_mask.scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(-1, self.n_group, self.n_routed_experts // self.n_group).reshape(-1, self.n_routed_experts)
        scores_for_choice = scores_for_choice.masked_fill(~score_mask.bool(), 0.0)
        return torch.topk(scores_for_choice, k=self.top_k, dim=-1, sorted=False)[1]

    def forward(self, hidden_states):
        hidden_states = hidden_states.view(-1, self.config.hidden_size)
        router_logits = F.linear(hidden_states.type(torch.float32), self.weight.type(torch.float32))
        scores = router_logits.sigmoid()
        topk_indices = self.get_topk_indices(scores)
        topk_weights = scores.gather(1, topk_indices)
        if self.norm_topk_prob:
            topk_weights /= topk_weights.sum(dim=-1, keepdim=True) + 1e-20
        return topk_indices, topk_weights * self.routed_scaling_factor


class DeepseekV3MoE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.experts = nn.ModuleList([MLP(c.hidden_size, c.moe_intermediate_size) for _ in range(c.n_routed_experts)])
        self.gate = DeepseekV3TopkRouter(c)
        self.shared_experts = MLP(c.hidden_size, c.moe_intermediate_size)

    def forward(self, hidden_states):
        residuals, shape = hidden_states, hidden_states.shape
        idx, w = self.gate(hidden_states)
        self.last_routing = (idx, w)
        x = hidden_states.view(-1, shape[-1])
        return _dispatch(self.experts, x, idx, w).view(*shape) + self.shared_experts(residuals)


class MoEGate(nn.Module):
    """DeepSeek-V2's remote-code gate (softmax scores, group-limited greedy)."""

    def __init__(self, c):
        super().__init__()
        self.top_k, self.n_routed_experts, self.routed_scaling_factor = c.num_experts_per_tok, c.n_routed_experts, c.routed_scaling_factor
        self.scoring_func, self.topk_method, self.n_group, self.topk_group, self.norm_topk_prob = "softmax", "group_limited_greedy", c.n_group, c.topk_group, False
        self.weight = nn.Parameter(torch.randn(self.n_routed_experts, c.hidden_size) * 0.5)

    def forward(self, hidden_states):
        bsz, seq_len, h = hidden_states.shape
        hidden_states = hidden_states.view(-1, h)
        logits = F.linear(hidden_states.type(torch.float32), self.weight.type(torch.float32), None)
        scores = logits.softmax(dim=-1, dtype=torch.float32)
        group_scores = scores.view(bsz * seq_len, self.n_group, -1).max(dim=-1).values
        group_idx = torch.topk(group_scores, k=self.topk_group, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores)
        group_mask.scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(bsz * seq_len, self.n_group, self.n_routed_experts // self.n_group).reshape(bsz * seq_len, -1)
        tmp_scores = scores.masked_fill(~score_mask.bool(), 0.0)
        topk_weight, topk_idx = torch.topk(tmp_scores, k=self.top_k, dim=-1, sorted=False)
        if self.top_k > 1 and self.norm_topk_prob:
            topk_weight = topk_weight / (topk_weight.sum(dim=-1, keepdim=True) + 1e-20)
        else:
            topk_weight = topk_weight * self.routed_scaling_factor
        return topk_idx, topk_weight, None


class DeepseekV2MoE(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.experts = nn.ModuleList([MLP(c.hidden_size, c.moe_intermediate_size) for _ in range(c.n_routed_experts)])
        self.gate = MoEGate(c)

    def forward(self, hidden_states):
        shape = hidden_states.shape
        idx, w, _ = self.gate(hidden_states)
        self.last_routing = (idx, w)
        return _dispatch(self.experts, hidden_states.view(-1, shape[-1]), idx, w).view(*shape)


class DeepseekV2Experts(nn.Module):
    """transformers' fused experts: 3-D weights, no per-expert modules."""

    def __init__(self, c):
        super().__init__()
        self.num_experts = c.n_routed_experts
        self.gate_up_proj = nn.Parameter(torch.randn(c.n_routed_experts, 2 * c.moe_intermediate_size, c.hidden_size) * 0.1)
        self.down_proj = nn.Parameter(torch.randn(c.n_routed_experts, c.hidden_size, c.moe_intermediate_size) * 0.1)

    def forward(self, hidden_states, top_k_index, top_k_weights):
        out = torch.zeros_like(hidden_states)
        mask = F.one_hot(top_k_index, num_classes=self.num_experts).permute(2, 1, 0)
        for e in range(self.num_experts):
            pos, tok = torch.where(mask[e])
            if tok.numel():
                g, u = F.linear(hidden_states[tok], self.gate_up_proj[e]).chunk(2, dim=-1)
                out.index_add_(0, tok, F.linear(F.silu(g) * u, self.down_proj[e]) * top_k_weights[tok, pos, None])
        return out


class DeepseekV2Moe(nn.Module):
    """transformers' native DeepSeek-V2 block (models/deepseek_v2/modeling_deepseek_v2.py, commit
    0233e509): `gate` is an nn.Linear that forward never calls (F.linear on gate.weight); settings
    on the block; weights always times routed_scaling_factor."""

    def __init__(self, c):
        super().__init__()
        self.experts = DeepseekV2Experts(c)
        self.gate = nn.Linear(c.hidden_size, c.n_routed_experts, bias=False)
        self.shared_experts = MLP(c.hidden_size, c.moe_intermediate_size)
        self.routed_scaling_factor, self.topk_method, self.num_group, self.top_k, self.topk_group = c.routed_scaling_factor, "group_limited_greedy", c.n_group, c.num_experts_per_tok, c.topk_group
        self.num_experts = c.n_routed_experts

    def route_tokens_to_experts(self, router_logits):
        batch_size, seq_len, hidden_dim = router_logits.shape
        router_logits = router_logits.view(-1, hidden_dim)
        router_logits = router_logits.softmax(dim=-1, dtype=torch.float32)
        group_scores = router_logits.view(batch_size * seq_len, self.num_group, -1).max(dim=-1).values
        group_idx = torch.topk(group_scores, k=self.topk_group, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores)
        group_mask.scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(batch_size * seq_len, self.num_group, self.num_experts // self.num_group).reshape(batch_size * seq_len, -1)
        tmp_scores = router_logits.masked_fill(~score_mask.bool(), 0.0)
        topk_weight, topk_idx = torch.topk(tmp_scores, k=self.top_k, dim=-1, sorted=False)
        return topk_idx, topk_weight * self.routed_scaling_factor

    def forward(self, hidden_states):
        residuals, orig_shape = hidden_states, hidden_states.shape
        router_logits = F.linear(hidden_states.type(torch.float32), self.gate.weight.type(torch.float32))
        idx, w = self.route_tokens_to_experts(router_logits)
        self.last_routing = (idx, w)
        x = hidden_states.view(-1, hidden_states.shape[-1])
        return self.experts(x, idx, w).view(*orig_shape) + self.shared_experts(residuals)


class SwitchTransformersTop1Router(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_experts, self.expert_capacity = c.num_experts, c.expert_capacity
        self.classifier = nn.Linear(c.hidden_size, c.num_experts, bias=False)

    def forward(self, hidden_states):
        router_logits = self.classifier(hidden_states)
        router_probs = F.softmax(router_logits, dim=-1, dtype=torch.float32).to(hidden_states.dtype)
        expert_index = torch.argmax(router_probs, dim=-1)
        expert_index = F.one_hot(expert_index, num_classes=self.num_experts)
        token_priority = torch.cumsum(expert_index, dim=-2)
        expert_capacity_mask = token_priority <= self.expert_capacity
        expert_index = expert_index * expert_capacity_mask
        router_probs = torch.max(router_probs, dim=-1).values.unsqueeze(-1)
        return expert_index, router_probs, router_logits


class SwitchTransformersSparseMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.router = SwitchTransformersTop1Router(c)
        self.experts = nn.ModuleDict({f"expert_{i}": MLP(c.hidden_size, c.moe_intermediate_size) for i in range(c.num_experts)})

    def forward(self, hidden_states):
        router_mask, router_probs, router_logits = self.router(hidden_states)
        expert_index = torch.argmax(router_mask, dim=-1)
        kept = router_mask.bool().any(dim=-1)
        self.last_routing = (torch.where(kept, expert_index, torch.full_like(expert_index, -1)).reshape(-1, 1), torch.where(kept, router_probs.squeeze(-1), torch.zeros(1, dtype=router_probs.dtype)).reshape(-1, 1))
        next_states = hidden_states.clone()
        router_mask = router_mask.bool()
        for idx, expert in enumerate(self.experts.values()):
            token_indices = router_mask[:, :, idx]
            next_states[token_indices] = expert(hidden_states[token_indices]).to(next_states.dtype)
        return router_probs * next_states, (router_logits, expert_index)


def config(**kw):
    base = dict(hidden_size=32, num_experts=8, n_routed_experts=8, num_experts_per_tok=2, moe_intermediate_size=16, norm_topk_prob=False,
                routed_scaling_factor=2.5, n_group=4, topk_group=2, expert_capacity=4, vocab_size=50, num_layers=4)
    base.update(kw)
    return SimpleNamespace(**base)


class Attention(nn.Module):
    """Single-head causal attention with a KV cache (legacy tuple format) and padding mask."""

    def __init__(self, h):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(h, h, bias=False) for _ in range(4))

    def forward(self, x, mask, past):
        q, k, v = self.q(x), self.k(x), self.v(x)
        if past is not None:
            k, v = torch.cat([past[0], k], 1), torch.cat([past[1], v], 1)
        S, T = x.shape[1], k.shape[1]
        att = q @ k.transpose(1, 2) / k.shape[-1] ** 0.5
        causal = torch.ones(S, T, dtype=torch.bool).tril(T - S)
        allowed = causal[None] & mask[:, None, :].bool()
        att = att.masked_fill(~allowed, -1e9).softmax(-1)
        return self.o(att @ v), (k, v)


class DecoderLayer(nn.Module):
    def __init__(self, c, block_cls, attr):
        super().__init__()
        self.self_attn = Attention(c.hidden_size)
        self.attr = attr
        setattr(self, attr, block_cls(c))

    def forward(self, x, mask, past):
        a, kv = self.self_attn(x, mask, past)
        x = x + a
        out = getattr(self, self.attr)(x)
        return x + (out[0] if isinstance(out, tuple) else out), kv


class Output(SimpleNamespace):
    pass


class TinyModel(nn.Module):
    def __init__(self, c, block_cls, attr):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.embed_positions = nn.Embedding(256, c.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(c, block_cls, attr) for _ in range(c.num_layers)])


class TinyForCausalLM(nn.Module):
    """A decoder-only LM in the transformers layout (model.layers[i].mlp / .block_sparse_moe),
    with forward(input_ids, attention_mask, past_key_values, position_ids, use_cache) and a greedy
    generate() that, like transformers' GenerationMixin, prefills then feeds one token per step
    with the KV cache and the attention mask extended by one column."""

    def __init__(self, c, block_cls, attr="mlp"):
        super().__init__()
        self.config = c
        self.model = TinyModel(c, block_cls, attr)
        self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)

    def forward(self, input_ids=None, attention_mask=None, past_key_values=None, position_ids=None, use_cache=False):
        B, S = input_ids.shape
        past_len = past_key_values[0][0].shape[1] if past_key_values is not None else 0
        if attention_mask is None:
            attention_mask = torch.ones(B, past_len + S, dtype=torch.long)
        if position_ids is None:  # as transformers' prepare_inputs_for_generation
            position_ids = attention_mask.long().cumsum(-1) - 1
            position_ids = position_ids.masked_fill(attention_mask == 0, 1)[:, -S:]
        x = self.model.embed_tokens(input_ids) + self.model.embed_positions(position_ids)
        cache = []
        for i, layer in enumerate(self.model.layers):
            x, kv = layer(x, attention_mask, past_key_values[i] if past_key_values is not None else None)
            cache.append(kv)
        return Output(logits=self.lm_head(x), past_key_values=tuple(cache) if use_cache else None)

    @torch.no_grad()
    def generate(self, input_ids, attention_mask=None, max_new_tokens=4):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        out = self(input_ids=input_ids, attention_mask=attention_mask, use_cache=True)
        seqs = input_ids
        for step in range(max_new_tokens):
            nxt = out.logits[:, -1].argmax(-1, keepdim=True)
            seqs = torch.cat([seqs, nxt], 1)
            attention_mask = torch.cat([attention_mask, torch.ones_like(nxt)], 1)
            if step == max_new_tokens - 1:
                break
            out = self(input_ids=nxt, attention_mask=attention_mask, past_key_values=out.past_key_values, use_cache=True)
        return seqs


class SwitchLayer(nn.Module):
    def __init__(self, c, sparse):
        super().__init__()
        self.mlp = SwitchTransformersSparseMLP(c) if sparse else MLP(c.hidden_size, c.moe_intermediate_size)

    def forward(self, x):
        out = self.mlp(x)
        return x + (out[0] if isinstance(out, tuple) else out)


class SwitchBlock(nn.Module):
    def __init__(self, c, sparse):
        super().__init__()
        self.layer = nn.ModuleList([SwitchLayer(c, sparse)])

    def forward(self, x):
        return self.layer[-1](x)


class SwitchStack(nn.Module):
    def __init__(self, c, n):
        super().__init__()
        self.block = nn.ModuleList([SwitchBlock(c, sparse=(i % 2 == 1)) for i in range(n)])

    def forward(self, x):
        for b in self.block:
            x = b(x)
        return x


class TinySwitch(nn.Module):
    """Switch Transformers' layout: encoder.block[i].layer[-1].mlp and decoder.block[i]...,
    sparse every other block (sparse_step 2)."""

    def __init__(self, c):
        super().__init__()
        self.config = c
        self.shared = nn.Embedding(c.vocab_size, c.hidden_size)
        self.encoder, self.decoder = SwitchStack(c, 4), SwitchStack(c, 4)

    def get_encoder(self):
        return lambda input_ids, attention_mask=None: Output(last_hidden_state=self.encoder(self.shared(input_ids)))

    def forward(self, input_ids=None, attention_mask=None, decoder_input_ids=None, decoder_attention_mask=None, encoder_outputs=None, past_key_values=None):
        enc = encoder_outputs.last_hidden_state if encoder_outputs is not None else self.encoder(self.shared(input_ids))
        dec = self.decoder(self.shared(decoder_input_ids) + enc.mean(1, keepdim=True))
        return Output(last_hidden_state=dec)

    @torch.no_grad()
    def generate(self, input_ids, attention_mask=None, max_new_tokens=3):
        """As transformers' GenerationMixin for encoder-decoder models: the encoder runs once,
        outside forward (get_encoder()), then one decoder token per step with the cache's length
        (a stand-in tensor [B, past, 1] here: this decoder has no attention)."""
        enc = self.get_encoder()(input_ids, attention_mask=attention_mask)
        dec = torch.zeros(input_ids.shape[0], 1, dtype=torch.long)
        for step in range(max_new_tokens):
            past = ((torch.zeros(input_ids.shape[0], step, 1),),) if step else None
            out = self(decoder_input_ids=dec[:, -1:], encoder_outputs=enc, attention_mask=attention_mask, past_key_values=past)
            dec = torch.cat([dec, (out.last_hidden_state[:, -1].sum(-1, keepdim=True) > 0).long() + 2], 1)
        return dec


FAMILIES = {
    "mixtral": (MixtralSparseMoeBlock, "block_sparse_moe", {}),
    "qwen2_moe": (Qwen2MoeSparseMoeBlock, "mlp", {"norm_topk_prob": False}),
    "qwen2_moe_v5": (Qwen2MoeSparseMoeBlockV5, "mlp", {"norm_topk_prob": False}),
    "qwen3_moe": (Qwen3MoeSparseMoeBlock, "mlp", {"norm_topk_prob": True}),
    "olmoe": (OlmoeSparseMoeBlock, "mlp", {"norm_topk_prob": False}),
    "deepseek_v3": (DeepseekV3MoE, "mlp", {"norm_topk_prob": True, "num_experts_per_tok": 3}),
    "deepseek_v2": (DeepseekV2MoE, "mlp", {"num_experts_per_tok": 3}),
    "deepseek_v2_native": (DeepseekV2Moe, "mlp", {"num_experts_per_tok": 3}),
}


def make(family, seed=0, **kw):
    torch.manual_seed(seed)
    cls, attr, over = FAMILIES[family]
    m = TinyForCausalLM(config(**{**over, **kw}), cls, attr)
    if family == "deepseek_v3":  # a selection bias large enough to change choices
        for layer in m.model.layers:
            layer.mlp.gate.e_score_correction_bias.copy_(torch.linspace(-0.3, 0.3, 8))
    return m.eval()
