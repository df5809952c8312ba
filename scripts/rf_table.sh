#!/usr/bin/env bash
# FID cells of rectified flows (and DDIM beside them) on MNIST at given samplers: N samples per
# cell, through the shared feature net, one line per cell in OUT/cells.tsv (run, sampler,
# NFE, FID, KID, precision, recall, seconds per sample). A cell already there is skipped, so the
# script resumes; `touch OUT/PAUSE` holds it before its next draw.
#
# Usage: scripts/rf_table.sh OUT FEATURE_RUN N RUN:SAMPLER[:STEPS] ...
#   SAMPLER is euler, heun, rk4, rk45 or ddim (eta 0, uniform); STEPS for the fixed-step ones.
#   e.g. scripts/rf_table.sh runs/rf-table runs/mnist_features 1000 \
#          runs/mnist_rf_small:euler:1 runs/mnist_rf_small:rk45 runs/mnist_ddpm_small:ddim:10
#   GENZOO=path/to/genzoo overrides the binary (default target/release/genzoo).
set -euo pipefail
out=${1:?usage: rf_table.sh OUT FEATURE_RUN N RUN:SAMPLER[:STEPS] ...}
features=${2:?usage}; n=${3:?usage}; shift 3
bin=${GENZOO:-target/release/genzoo}
mkdir -p "$out"
cells="$out/cells.tsv"
touch "$cells"
for cell in "$@"; do
  IFS=: read -r run sampler steps <<<"$cell"
  name=$(basename "$run")
  label="$sampler${steps:+-$steps}"
  if grep -q "^$name	$label	" "$cells"; then continue; fi
  while [[ -f "$out/PAUSE" ]]; do sleep 5; done
  flags=(--sampler "$sampler")
  [[ -n "$steps" ]] && flags+=(--steps "$steps")
  [[ "$sampler" == ddim ]] && flags+=(--eta 0 --skip uniform)
  part="$out/$name-$label.npy"
  start=$(date +%s.%N)
  log=$("$bin" sample "$run" "${flags[@]}" -n "$n" --seed 0 --out "$part" 2>&1 >/dev/null)
  end=$(date +%s.%N)
  # `genzoo sample` names the network calls it took: "..., 392 network calls" or "S=10 ...".
  nfe=$(grep -oE '[0-9]+ network calls|S=[0-9]+' <<<"$log" | head -1 | grep -oE '[0-9]+')
  "$bin" eval --images "$part" --images-view symmetric --features "$features" \
    --json "$out/$name-$label.json" >/dev/null
  per=$(echo "($end - $start) / $n" | bc -l)
  jq -r --arg run "$name" --arg s "$label" --arg nfe "$nfe" --arg per "$per" \
    '[$run, $s, $nfe, .fid, .kid_mean, .precision, .recall, ($per | tonumber)] | @tsv' \
    "$out/$name-$label.json" >>"$cells"
  rm -f "$part"
  tail -n 1 "$cells"
done
