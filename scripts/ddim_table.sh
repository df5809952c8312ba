#!/usr/bin/env bash
# The DDIM table (Song et al. 2021, Table 1) on MNIST: FID of N samples per cell, through the
# shared feature net, for one trained diffusion run. Rows: DDIM with eta = 0 (uniform and
# quadratic skipping), 0.2, 0.5, 1 (uniform), and DDPM with sigma^2 = beta over the same
# skipped timesteps (the paper's sigma-hat row); columns S = 10, 20, 50, 100, 1000.
#
# Cells run in the order most useful to a run cut short: DDIM-50 (eta = 0) and DDPM-1000 first
# (the goal compares them), then the cheapest first, then the other S = 1000 cells. One cell is
# one line of <run>/ddim-table/cells.tsv (row, S, FID, KID, precision, recall, seconds per
# sample); a cell already there is skipped, so the script resumes. The figure (FID against S,
# one line per row) is drawn from the cells by the `ddim_figure` example it names at the end.
# The quadratic rule at S = 1000 only reaches t = 800 (and repeats
# steps), so that cell is not run.
#
# Usage: scripts/ddim_table.sh RUN FEATURE_RUN [N]   (RUN trained on the symmetric view, [-1, 1])
#   GENZOO=path/to/genzoo overrides the binary (default target/release/genzoo).
#   `touch RUN/ddim-table/PAUSE` holds the script before its next draw (and `rm` it to go on),
#   so benchmarks can run on a quiet machine without a pause inside a timed draw.
set -euo pipefail
run=${1:?usage: ddim_table.sh RUN FEATURE_RUN [N]}
features=${2:?usage: ddim_table.sh RUN FEATURE_RUN [N]}
n=${3:-1000}
bin=${GENZOO:-target/release/genzoo}
out="$run/ddim-table"
mkdir -p "$out"
cells="$out/cells.tsv"
touch "$cells"

# row name -> sampler flags
declare -A flags=(
  [eta0-uniform]="--sampler ddim --eta 0 --skip uniform"
  [eta0-quad]="--sampler ddim --eta 0 --skip quad"
  [eta0.2]="--sampler ddim --eta 0.2 --skip uniform"
  [eta0.5]="--sampler ddim --eta 0.5 --skip uniform"
  [eta1]="--sampler ddim --eta 1 --skip uniform"
  [ddpm-sigma-hat]="--sampler ddpm --skip uniform"
)
# The goal's pair first (DDIM-50 against DDPM-1000), then the rest cheapest first.
order=(eta0-uniform:50 ddpm-sigma-hat:1000)
for s in 10 20 50 100; do
  for row in eta0-uniform eta0-quad eta0.2 eta0.5 eta1 ddpm-sigma-hat; do order+=("$row:$s"); done
done
for row in ddpm-sigma-hat eta0-uniform eta1 eta0.5 eta0.2; do order+=("$row:1000"); done

# S = 1000 cells (~45 min each for 1,000 samples on 2 cores) are drawn in CHUNKS parts with
# seeds 0..CHUNKS-1, each kept with its wall time (`.secs`) once complete, so a session that
# ends mid-cell loses at most one part; the other cells are one draw with seed 0.
CHUNKS=4
for cell in "${order[@]}"; do
  row=${cell%%:*}
  s=${cell##*:}
  if grep -q "^$row	$s	" "$cells"; then continue; fi
  chunks=1
  if ((s >= 1000)); then chunks=$CHUNKS; fi
  if ((n % chunks != 0)); then
    echo "ddim_table.sh: N = $n is not a multiple of $chunks (the parts of an S = $s cell)" >&2
    exit 2
  fi
  parts=()
  secs=0
  for ((c = 0; c < chunks; c++)); do
    part="$out/$row-s$s-part$c.npy"
    if [[ ! -f "$part.secs" ]]; then
      while [[ -f "$out/PAUSE" ]]; do sleep 5; done
      start=$(date +%s.%N)
      # shellcheck disable=SC2086
      "$bin" sample "$run" ${flags[$row]} --steps "$s" -n $((n / chunks)) --seed "$c" \
        --out "$part" >/dev/null
      end=$(date +%s.%N)
      echo "$end - $start" | bc -l >"$part.secs"
    fi
    parts+=("$part")
    secs=$(echo "$secs + $(cat "$part.secs")" | bc -l)
  done
  "$bin" eval --images "${parts[@]}" --images-view symmetric --features "$features" \
    --json "$out/$row-s$s.json" >/dev/null
  per=$(echo "$secs / $n" | bc -l)
  jq -r --arg row "$row" --arg s "$s" --arg per "$per" \
    '[$row, $s, .fid, .kid_mean, .precision, .recall, ($per | tonumber)] | @tsv' \
    "$out/$row-s$s.json" >>"$cells"
  for part in "${parts[@]}"; do rm -f "$part" "$part.secs"; done
  tail -n 1 "$cells"
done

# The table: FID per row and S, then seconds per sample per S (from the eta = 0 row).
{
  echo "| row | S=10 | S=20 | S=50 | S=100 | S=1000 |"
  echo "|---|---|---|---|---|---|"
  for row in eta0-uniform eta0-quad eta0.2 eta0.5 eta1 ddpm-sigma-hat; do
    line="| $row"
    for s in 10 20 50 100 1000; do
      v=$(awk -F'\t' -v r="$row" -v s="$s" '$1 == r && $2 == s { printf "%.2f", $3 }' "$cells")
      line="$line | ${v:-–}"
    done
    echo "$line |"
  done
  line="| s/sample (η=0)"
  for s in 10 20 50 100 1000; do
    v=$(awk -F'\t' -v s="$s" '$2 == s && ($1 == "eta0-uniform") { printf "%.4f", $7 }' "$cells")
    line="$line | ${v:-–}"
  done
  echo "$line |"
} | tee "$out/table.md"
echo "figure: cargo run --release -p genzoo-train --example ddim_figure -- $cells $out/table.png"
