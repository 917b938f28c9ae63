"""Router discovery and routing rules of each family, on modules built to its transformers layout
(tests/families.py names the sources): the captured ids, in gate order, and weights must be
exactly what the model's own block applied. No server needed."""
from __future__ import annotations

import glob

import numpy as np
import pytest
import torch

import moe_atlas
from moe_atlas import routers as R
from moe_atlas.torch_capture import describe
from moe_atlas.formats import read_events

import families as fam


def gate_order(ids, w):
    order = torch.sort(w.float(), dim=-1, descending=True, stable=True).indices
    return ids.gather(-1, order).numpy(), w.detach().float().gather(-1, order).numpy()


def run_capture(model, tmp_path, inputs, **kw):
    with moe_atlas.capture(model, out=tmp_path, **kw) as cap:
        model(**inputs)
    files = sorted(glob.glob(str(tmp_path / "*.safetensors")))
    assert len(files) == 1
    return cap, read_events(files[0])[0]


@pytest.mark.parametrize("family", list(fam.FAMILIES))
def test_family_routing_equals_the_models_own(family, tmp_path):
    model = fam.make(family)
    specs = R.discover(model)
    assert len(specs) == 4 and [s.model_layer for s in specs] == [0, 1, 2, 3]
    k = model.config.num_experts_per_tok
    assert all(s.top_k == k and s.experts == 8 for s in specs)
    ids_in = torch.randint(0, 50, (2, 7))
    cap, ev = run_capture(model, tmp_path, {"input_ids": ids_in})
    assert ev["expert_ids"].shape == (14, 4, k) and ev["logits"].shape == (14, 4, 8)
    for l, layer in enumerate(model.model.layers):
        block = getattr(layer, layer.attr)
        want_ids, want_w = gate_order(*block.last_routing)
        np.testing.assert_array_equal(ev["expert_ids"][:, l], want_ids, err_msg=f"{family} layer {l}")
        np.testing.assert_allclose(ev["weights"][:, l], want_w, rtol=1e-6, atol=1e-7, err_msg=f"{family} layer {l}")
    np.testing.assert_array_equal(ev["token_ids"], ids_in.reshape(-1).numpy())
    np.testing.assert_array_equal(ev["positions"], np.tile(np.arange(7), 2))
    np.testing.assert_array_equal(ev["seq_ids"], np.repeat([0, 1], 7))
    sums = ev["weights"].sum(-1)
    if family in ("mixtral", "qwen3_moe", "qwen2_moe_v5") and model.config.norm_topk_prob or family == "mixtral":
        np.testing.assert_allclose(sums, 1, rtol=1e-5)
    if family in ("qwen2_moe", "olmoe"):  # not renormalized (Qwen1.5-MoE-A2.7B, OLMoE-1B-7B)
        assert (sums < 0.999).all()
    if family == "deepseek_v3":  # normalized then scaled by routed_scaling_factor
        np.testing.assert_allclose(sums, 2.5, rtol=1e-5)
    d = describe(model)
    assert d["topK"] == k and d["moeLayerIndices"] == [0, 1, 2, 3]
    assert d["router"] == ("sigmoid" if family == "deepseek_v3" else "softmax")
    assert d["renormalize"] == (family in ("mixtral", "qwen3_moe"))  # DeepSeek-V3: normalized, then scaled by 2.5


def test_deepseek_v3_bias_selects_but_does_not_weigh(tmp_path):
    model = fam.make("deepseek_v3")
    gate = model.model.layers[0].mlp.gate
    gate.e_score_correction_bias.zero_()
    gate.e_score_correction_bias[5] = 10.0  # expert 5 always chosen, its weight stays its sigmoid score
    cap, ev = run_capture(model, tmp_path, {"input_ids": torch.randint(0, 50, (1, 9))})
    assert (ev["expert_ids"][:, 0] == 5).any(axis=1).all()
    logits = ev["logits"][:, 0]
    s = 1 / (1 + np.exp(-logits.astype(np.float64)))
    sel = ev["expert_ids"][:, 0].astype(np.int64)
    w = np.take_along_axis(s, sel, 1)
    np.testing.assert_allclose(ev["weights"][:, 0], w / w.sum(1, keepdims=True) * 2.5, rtol=1e-5)
    # group-limited: the chosen experts lie in at most topk_group = 2 of the 4 groups of 2
    for row in ev["expert_ids"][:, 1]:
        assert len({int(e) // 2 for e in row}) <= 2


def test_switch_top1_with_capacity_drops(tmp_path):
    torch.manual_seed(0)
    c = fam.config(expert_capacity=2, num_experts_per_tok=1)
    model = fam.TinySwitch(c).eval()
    specs = R.discover(model)
    assert [s.stream for s in specs] == ["encoder", "encoder", "decoder", "decoder"] and all(s.top_k == 1 for s in specs)
    cap, ev = run_capture(model, tmp_path, {"input_ids": torch.randint(0, 50, (2, 6)), "decoder_input_ids": torch.randint(0, 50, (2, 3))})
    # 12 encoder tokens (no decoder layers) then 6 decoder tokens (no encoder layers)
    ids = ev["expert_ids"]
    assert ids.shape == (18, 4, 1)
    assert (ids[:12, 2:] == -1).all() and (ids[12:, :2] == -1).all()
    blocks = [model.encoder.block[1], model.encoder.block[3], model.decoder.block[1], model.decoder.block[3]]
    for l, b in enumerate(blocks):
        want_ids, want_w = b.layer[-1].mlp.last_routing
        rows = slice(0, 12) if l < 2 else slice(12, 18)
        np.testing.assert_array_equal(ids[rows, l], want_ids.numpy())
        np.testing.assert_allclose(ev["weights"][rows, l], want_w.detach().numpy(), rtol=1e-6)
    assert (ids[:12, :2] == -1).any(), "capacity 2 of 6 tokens per sequence must drop some"
    per_seq = [np.bincount(ids[s * 6:(s + 1) * 6, 0, 0][ids[s * 6:(s + 1) * 6, 0, 0] >= 0], minlength=8) for s in range(2)]
    assert max(x.max() for x in per_seq) <= 2
    np.testing.assert_array_equal(ev["seq_ids"][12:], np.repeat([0, 1], 3))  # decoder tokens of the same sequences


def test_custom_routers_predicate_and_rule(tmp_path):
    torch.manual_seed(1)

    class MyMoE(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.router = torch.nn.Linear(16, 6, bias=False)
            self.proj = torch.nn.Linear(16, 16)

        def forward(self, x):
            self.router(x)
            return self.proj(x)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList([MyMoE() for _ in range(3)])

        def forward(self, inputs_embeds):
            for b in self.blocks:
                inputs_embeds = b(inputs_embeds)
            return inputs_embeds

    net = Net()
    x = torch.randn(2, 5, 16)
    with moe_atlas.capture(net, out=tmp_path, routers=lambda name, m: name.endswith(".router"), rule=R.softmax_topk(2, renormalize=False)) as cap:
        net(inputs_embeds=x)
    ev = read_events(cap.files[0])[0]
    assert ev["expert_ids"].shape == (10, 3, 2)
    h = x
    for l, b in enumerate(net.blocks):
        p = torch.softmax(b.router(h).reshape(-1, 6), -1)
        w, i = torch.topk(p, 2)
        np.testing.assert_array_equal(ev["expert_ids"][:, l], i.numpy())
        np.testing.assert_allclose(ev["weights"][:, l], w.detach().numpy(), rtol=1e-6)
        h = b(h)
    with pytest.raises(moe_atlas.AtlasError) as e:
        moe_atlas.capture(torch.nn.Linear(3, 3), out=tmp_path)
    assert e.value.code == "no_routers"


def test_manual_decode_loop_without_mask_continues_positions(tmp_path):
    model = fam.make("olmoe")
    ids = torch.randint(0, 50, (2, 5))
    with moe_atlas.capture(model, out=tmp_path, logits=False) as cap:
        out = model(input_ids=ids, use_cache=True)
        for _ in range(2):
            nxt = out.logits[:, -1].argmax(-1, keepdim=True)
            out = model(input_ids=nxt, past_key_values=out.past_key_values, use_cache=True)
        model(input_ids=ids[:, :2])  # a new call without cache: new sequences
    ev = read_events(cap.files[0])[0]
    assert "logits" not in ev
    np.testing.assert_array_equal(ev["positions"], list(range(5)) * 2 + [5, 5, 6, 6] + [0, 1, 0, 1])
    np.testing.assert_array_equal(ev["seq_ids"], [0] * 5 + [1] * 5 + [0, 1, 0, 1] + [2, 2, 3, 3])


def test_router_calls_outside_model_calls_are_not_recorded(tmp_path):
    model = fam.make("mixtral")
    ids = torch.randint(0, 50, (1, 4))
    with pytest.warns(UserWarning, match="1 router call"):
        with moe_atlas.capture(model, out=tmp_path) as cap:
            h = model.model.embed_tokens(ids)
            model.model.layers[0].block_sparse_moe(h)  # a part of the model called directly
            model(input_ids=ids)
    assert cap.tokens == 4 and read_events(cap.files[0])[0]["expert_ids"].shape == (4, 4, 2)


def test_switch_generate_encoder_outside_forward(tmp_path):
    torch.manual_seed(2)
    model = fam.TinySwitch(fam.config(expert_capacity=64, num_experts_per_tok=1)).eval()
    ids = torch.randint(0, 50, (2, 5))
    mask = torch.ones(2, 5, dtype=torch.long)
    mask[1, :2] = 0
    with moe_atlas.capture(model, out=tmp_path) as cap:
        model.generate(ids, attention_mask=mask, max_new_tokens=3)
    ev = read_events(cap.files[0])[0]
    # encoder: 5 + 3 real tokens (padding left out), then 3 decoder steps of 2 rows
    assert len(ev["expert_ids"]) == 8 + 6
    np.testing.assert_array_equal(ev["token_ids"][:8], np.r_[ids[0].numpy(), ids[1, 2:].numpy()])
    np.testing.assert_array_equal(ev["positions"], np.r_[np.arange(5), np.arange(3), [0, 0, 1, 1, 2, 2]])
    np.testing.assert_array_equal(ev["seq_ids"], [0] * 5 + [1] * 3 + [0, 1] * 3)
    assert (ev["expert_ids"][:8, 2:] == -1).all() and (ev["expert_ids"][8:, :2] == -1).all()


def test_sigmoid_topk_rule_for_custom_routers(tmp_path):
    torch.manual_seed(3)
    gate = torch.nn.Linear(8, 6, bias=False)
    net = torch.nn.Sequential(gate)
    bias = torch.tensor([0.0, 0.0, 5.0, 0.0, 0.0, 0.0])  # expert 2 always selected
    x = torch.randn(1, 7, 8)
    with moe_atlas.capture(net, out=tmp_path, routers=[gate], rule=R.sigmoid_topk(2, renormalize=False, bias=bias, scale=2.0)) as cap:
        net(x)
    ev = read_events(cap.files[0])[0]
    s = torch.sigmoid(gate(x).reshape(-1, 6)).detach().numpy()
    assert (ev["expert_ids"][:, 0] == 2).any(axis=1).all()
    np.testing.assert_allclose(ev["weights"][:, 0], np.take_along_axis(s, ev["expert_ids"][:, 0].astype(np.int64), 1) * 2.0, rtol=1e-6)
    assert (np.diff(ev["weights"][:, 0], axis=1) <= 0).all()  # gate order: largest weight first
