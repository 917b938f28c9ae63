import type { ModelConfig } from "./model-config";

export type ModelPreset = ModelConfig & { id: string; source: string };

const range = (start: number, n: number, step = 1) => Array.from({ length: n }, (_, i) => start + i * step);

/** Attention linears of standard multi-head / grouped-query attention. */
function gqa(hidden: number, heads: number, kvHeads: number, headDim = hidden / heads) {
  return {
    q: hidden * heads * headDim,
    k: hidden * kvHeads * headDim,
    v: hidden * kvHeads * headDim,
    o: heads * headDim * hidden,
  };
}

/** SwiGLU expert: gate and up project hidden -> ffn, down projects back. */
function swiglu(hidden: number, ffn: number) {
  return { gate: hidden * ffn, up: hidden * ffn, down: ffn * hidden };
}

/**
 * Presets of PRODUCT.md §7, checked against each model's config.json. Parameter counts are per MoE
 * layer (attention of that block, one routed expert, all shared experts together).
 */
export const MODEL_PRESETS: readonly ModelPreset[] = [
  {
    id: "mixtral-8x7b",
    name: "Mixtral-8x7B",
    layers: 32,
    experts: 8,
    topK: 2,
    sharedExperts: 0,
    router: "softmax",
    renormalize: true,
    moeLayerIndices: range(0, 32),
    hidden: 4096,
    expertFfn: 14336,
    params: { attention: gqa(4096, 32, 8), expert: swiglu(4096, 14336), shared: {} },
    source: "mistralai/Mixtral-8x7B-v0.1 config.json",
  },
  {
    id: "qwen1.5-moe-a2.7b",
    name: "Qwen1.5-MoE-A2.7B",
    layers: 24,
    experts: 60,
    topK: 4,
    sharedExperts: 1,
    router: "softmax",
    renormalize: false,
    moeLayerIndices: range(0, 24),
    hidden: 2048,
    expertFfn: 1408,
    params: { attention: gqa(2048, 16, 16), expert: swiglu(2048, 1408), shared: swiglu(2048, 5632) },
    source: "Qwen/Qwen1.5-MoE-A2.7B config.json (shared expert width 5632, norm_topk_prob false)",
  },
  {
    id: "deepseek-moe-16b",
    name: "DeepSeek-MoE-16B",
    layers: 27,
    experts: 64,
    topK: 6,
    sharedExperts: 2,
    router: "softmax",
    renormalize: false,
    moeLayerIndices: range(1, 27),
    hidden: 2048,
    expertFfn: 1408,
    params: { attention: gqa(2048, 16, 16), expert: swiglu(2048, 1408), shared: swiglu(2048, 2 * 1408) },
    source: "deepseek-ai/deepseek-moe-16b-base config.json (layer 0 dense)",
  },
  {
    id: "llama-moe-3.5b-2of8",
    name: "LLaMA-MoE-v1-3.5B (2/8)",
    layers: 32,
    experts: 8,
    topK: 2,
    sharedExperts: 0,
    router: "softmax",
    renormalize: true,
    moeLayerIndices: range(0, 32),
    hidden: 4096,
    expertFfn: 1376,
    params: { attention: gqa(4096, 32, 32), expert: swiglu(4096, 1376), shared: {} },
    source: "llama-moe/LLaMA-MoE-v1-3_5B-2_8 config.json",
  },
  {
    id: "llama-moe-3.5b-4of16",
    name: "LLaMA-MoE-v1-3.5B (4/16)",
    layers: 32,
    experts: 16,
    topK: 4,
    sharedExperts: 0,
    router: "softmax",
    renormalize: true,
    moeLayerIndices: range(0, 32),
    hidden: 4096,
    expertFfn: 688,
    params: { attention: gqa(4096, 32, 32), expert: swiglu(4096, 688), shared: {} },
    source: "llama-moe/LLaMA-MoE-v1-3_5B-4_16 config.json",
  },
  {
    id: "olmoe-1b-7b",
    name: "OLMoE-1B-7B",
    layers: 16,
    experts: 64,
    topK: 8,
    sharedExperts: 0,
    router: "softmax",
    renormalize: false,
    moeLayerIndices: range(0, 16),
    hidden: 2048,
    expertFfn: 1024,
    params: { attention: gqa(2048, 16, 16), expert: swiglu(2048, 1024), shared: {} },
    source: "allenai/OLMoE-1B-7B-0924 config.json",
  },
  {
    id: "qwen3-30b-a3b",
    name: "Qwen3-30B-A3B",
    layers: 48,
    experts: 128,
    topK: 8,
    sharedExperts: 0,
    router: "softmax",
    renormalize: true,
    moeLayerIndices: range(0, 48),
    hidden: 2048,
    expertFfn: 768,
    params: { attention: gqa(2048, 32, 4, 128), expert: swiglu(2048, 768), shared: {} },
    source: "Qwen/Qwen3-30B-A3B config.json (head_dim 128)",
  },
  {
    id: "deepseek-v3",
    name: "DeepSeek-V3",
    layers: 58,
    experts: 256,
    topK: 8,
    sharedExperts: 1,
    router: "sigmoid",
    renormalize: true,
    moeLayerIndices: range(3, 58),
    hidden: 7168,
    expertFfn: 2048,
    params: {
      // Multi-head latent attention: q_lora_rank 1536, kv_lora_rank 512, 128 heads,
      // qk_nope 128 + qk_rope 64, v_head_dim 128.
      attention: {
        q_a: 7168 * 1536,
        q_b: 1536 * 128 * 192,
        kv_a: 7168 * (512 + 64),
        kv_b: 512 * 128 * (128 + 128),
        o: 128 * 128 * 7168,
      },
      expert: swiglu(7168, 2048),
      shared: swiglu(7168, 2048),
    },
    notes: "Sigmoid router with 8 expert groups, 4 kept per token (group-limited routing); first 3 layers dense.",
    source: "deepseek-ai/DeepSeek-V3 config.json",
  },
  {
    id: "switch-base-128",
    name: "Switch-Base-128",
    layers: 12,
    experts: 128,
    topK: 1,
    sharedExperts: 0,
    router: "softmax",
    renormalize: false,
    // Every other block of the 12 encoder + 12 decoder blocks, numbered 0-23 (decoder from 12).
    moeLayerIndices: range(1, 12, 2),
    hidden: 768,
    expertFfn: 3072,
    params: {
      attention: gqa(768, 12, 12),
      expert: { wi: 768 * 3072, wo: 3072 * 768 },
      shared: {},
    },
    source: "google/switch-base-128 config.json (sparse step 2 in encoder and decoder)",
  },
];

export function findPreset(id: string): ModelPreset | undefined {
  return MODEL_PRESETS.find((p) => p.id === id);
}
