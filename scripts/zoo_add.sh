#!/usr/bin/env bash
# Keep the weights behind a published number with the code: copy run RUN's checkpoint (the one
# `genzoo eval RUN` uses: its best, else its newest; or step STEP) into zoo/NAME as a run
# directory of its own, weights only (EMA where kept, else the raw weights; no optimiser
# state), with the resolved config, the run's eval/*.json and SHA256SUMS of the weights, config
# and state. `genzoo eval
# zoo/NAME`, `genzoo sample zoo/NAME` and `genzoo info zoo/NAME` then work on it directly.
# A run trained on drawn pairs keeps their manifest (pairs.json, a few hundred bytes) so its
# config still describes its data; the pairs themselves are not kept.
#
# Usage: scripts/zoo_add.sh RUN [STEP]
set -euo pipefail
run=${1:?usage: scripts/zoo_add.sh RUN [STEP]}
run=${run%/}
name=$(basename "$run")
root="$run/ckpt"
latest=$(ls -d "$root"/step-* | sort | tail -1)
if [[ -n "${2:-}" ]]; then
  step=$2
else
  best=$(jq -r '.best.step // empty' "$latest/state.json")
  if [[ -n "$best" && -d "$(printf '%s/step-%08d' "$root" "$best")" ]]; then step=$best
  else step=$((10#${latest##*step-})); fi
fi
src=$(printf '%s/step-%08d' "$root" "$step")
[[ -f "$src/state.json" ]] || { echo "no checkpoint at $src" >&2; exit 1; }
out="zoo/$name"
dst=$(printf '%s/ckpt/step-%08d' "$out" "$step")
rm -rf "$out"
mkdir -p "$dst"
cp "$run/config.toml" "$out/config.toml"
# Weights only: the optimiser's groups are dropped, and `best` kept only when it is this step.
jq --argjson s "$step" '.optim_steps = [] | (if (.best != null and .best.step != $s) then .best = null else . end)' \
  "$src/state.json" > "$dst/state.json"
if [[ -f "$src/ema.safetensors" ]]; then cp "$src/ema.safetensors" "$dst/"; else cp "$src/model.safetensors" "$dst/"; fi
if [[ -d "$run/eval" ]]; then
  mkdir -p "$out/eval"
  find "$run/eval" -maxdepth 1 -name '*.json' -size -200k -exec cp {} "$out/eval/" \;
fi
# Pairs-trained runs: keep the manifest and point the config at it.
pairs=$(sed -n 's/^source = "pairs"$/yes/p' "$out/config.toml")
if [[ "$pairs" == yes ]]; then
  dir=$(sed -n 's/^dir = "\(.*\)"$/\1/p' "$out/config.toml" | head -1)
  mkdir -p "$out/pairs"
  cp "$dir/pairs.json" "$out/pairs/pairs.json"
  sed -i "s|^dir = \"$dir\"$|dir = \"$out/pairs\"|" "$out/config.toml"
fi
# Sums of what must not change: weights, config, state (eval/ is rewritten by commands run on it).
(cd "$out" && find . -type f \( -name '*.safetensors' -o -name config.toml -o -name state.json \) | sort \
  | xargs sha256sum > SHA256SUMS)
du -sh "$out"
