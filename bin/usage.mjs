// The CLI's usage text: printed by `moe-atlas --help` (bin/moe-atlas.mjs) and rendered by the
// app's /docs/cli page, so the two cannot drift. Node standard library only, no side effects.
export const USAGE = `moe-atlas — push MoE routing traces to a MoE Atlas server

  moe-atlas ingest <files or folders...> (--run <id> | --new --model <preset> --name <name>)
            [--format auto|jsonl|npy|npz|safetensors|aggregate] [--map experts:topk_ids,...]
            [--label <label>] [--tag <tag>]... [--exclude-warmup] [--policy <policy>] [--visibility <v>]
            [--series <name> --step <n>]   (policy, visibility, series and step with --new)
  moe-atlas runs [list] [--sort created|name|events|tokens|policy] [--order asc|desc] [--policy <kind>] [--series <name>]
  moe-atlas runs update <run> [--name <name>] [--description <text>] [--tags a,b] [--visibility public|unlisted|private]
            [--series <name> --step <n>]   (--series "" --step "" take a run out of its series)
            [--policy vanilla|c2r:T=<n>|device-limited:M=<n>|pruned[:<note>]|quantized[:<note>]]
  moe-atlas runs delete <run> [--yes]   delete a run with its uploads, pruning runs, quantization results and shares
  moe-atlas uploads list <run>          a run's uploads (id, file, events)
  moe-atlas uploads delete <run> <upload> [--yes]   take one upload out (its sums stop counting; it may be uploaded again)
  moe-atlas presets                   list model presets
  moe-atlas export <run> [--layer N]  print a run (or one layer's aggregates) as JSON
  moe-atlas plan <run> --slots P --gpus G [--nodes N] [--groups n] [--strategy eplb|optimized]
            [--window <tokens> [--window-index w]] [--max-load-ratio r]
            [--format sglang|vllm|trtllm [--layer-offset k] [--out <file>]]
                                      a serving plan with redundant experts (EPLB or ours): per layer balancedness
                                      and C_T over GPUs and nodes, or the plan as an engine's file
  moe-atlas pruning import <file.json|file.csv> [--model <preset>]   store pruning runs (all or none)
  moe-atlas pruning list [--model <preset>]
  moe-atlas quant import <file.json|file.csv> [--model <preset>]     store quantization results
  moe-atlas quant list [--model <preset>]
  moe-atlas pruning delete <id> [--yes] · moe-atlas quant delete <id> [--yes] · moe-atlas shares delete <id> [--yes]

Server and token: --url (or MOE_ATLAS_URL, default http://127.0.0.1:3000), --token (or MOE_ATLAS_TOKEN).
Folders are searched for .jsonl .ndjson .npy .npz .safetensors .json files; a .json document that is
not a moe-atlas.aggregate.v1 aggregate is skipped, saying so (--format uploads it anyway).
--exclude-warmup leaves out runs of identical routing (engines' profiling and warm-up passes), which
are otherwise counted and reported as a warning.
Deletes ask for confirmation on stdin (type y) unless --yes; only the owner's token or an admin token may delete.`;
