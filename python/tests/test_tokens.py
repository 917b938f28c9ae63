"""Token statistics through the client (issue 15): counts equal numpy's, a vocabulary, search, a sequence."""
from __future__ import annotations

import json

import numpy as np

SHAPE = {"name": "tok-moe", "layers": 2, "experts": 8, "topK": 2}


def test_expert_tokens_equal_numpy_and_vocabulary(client, tmp_path):
    rng = np.random.default_rng(5)
    T = 400
    tok = rng.integers(0, 50, T)
    ids = np.stack([rng.permutation(8)[:2] for _ in range(T * 2)]).reshape(T, 2, 2)
    ids[tok == 7, 1, 0] = 3  # token 7 prefers expert 3 at layer 1
    ids[(tok == 7) & (ids[:, 1, 1] == 3), 1, 1] = 4
    path = tmp_path / "tok.jsonl"
    with open(path, "w") as f:
        for t in range(T):
            for layer in range(2):
                f.write(json.dumps({"seq": t // 100, "token_pos": t % 100, "layer": layer, "experts": ids[t, layer].tolist(), "token_id": int(tok[t])}) + "\n")
    run = client.create_run("tokens", model=SHAPE)
    assert run.upload(str(path))["events"] == 2 * T
    got = run.expert_tokens(3, layer=1, limit=100)
    hit = (ids[:, 1, :] == 3).any(axis=1)
    want = np.bincount(tok[hit], minlength=50)
    assert {t["tokenId"]: t["count"] for t in got["tokens"]} == {int(v): int(c) for v, c in enumerate(want) if c}
    assert run.expert_tokens(3, layer=1, by="lift", limit=1)["tokens"][0]["tokenId"] == 7
    assert got["tokens"][0]["text"] is None
    info = run.set_vocabulary([f"Ġw{i}" for i in range(50)])
    assert info["byteLevel"] and info["size"] == 50
    assert run.expert_tokens(3, layer=1, by="lift", limit=1)["tokens"][0]["text"] == " w7"
    found = run.search_tokens("w7")["matches"][0]
    assert found["tokenId"] == 7 and found["perLayer"][1]["topExpert"] == 3
    seq = run.sequence(1, start=0, limit=3)
    assert [t["tokenId"] for t in seq["tokens"]] == tok[100:103].tolist()
    spec = run.layer_tokens(1)
    assert len(spec["experts"]) == 8
