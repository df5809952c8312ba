#!/usr/bin/env bash
# The DDIM table (Song et al. 2021, Table 1) on MNIST: FID of N samples per cell, through the
# shared feature net, for one trained diffusion run. Rows: DDIM with eta = 0 (uniform and
# quadratic skipping), 0.2, 0.5, 1 (uniform), and DDPM with sigma^2 = beta over the same
# skipped timesteps (the paper's sigma-hat row); columns S = 10, 20, 50, 100, 1000.
#
# Cells run in the order most useful to a run cut short: DDIM-50 (eta = 0) and DDPM-1000 first
# (the goal compares them), then the cheapest first, then the other S = 1000 cells. One cell is
# one line of <run>/ddim-table/cells.tsv (row, S, FID, KID, precision, recall, seconds per
# sample); a cell already there is skipped, so the script resumes. The quadratic rule at S = 1000 only reaches t = 800 (and repeats
# steps), so that cell is not run.
#
# Usage: scripts/ddim_table.sh RUN FEATURE_RUN [N]   (RUN trained on the symmetric view, [-1, 1])
#   GENZOO=path/to/genzoo overrides the binary (default target/release/genzoo).
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

for cell in "${order[@]}"; do
  row=${cell%%:*}
  s=${cell##*:}
  if grep -q "^$row	$s	" "$cells"; then continue; fi
  npy="$out/$row-s$s.npy"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$bin" sample "$run" ${flags[$row]} --steps "$s" -n "$n" --out "$npy" >/dev/null
  end=$(date +%s.%N)
  "$bin" eval --images "$npy" --images-view symmetric --features "$features" --json "$out/$row-s$s.json" >/dev/null
  per=$(echo "($end - $start) / $n" | bc -l)
  jq -r --arg row "$row" --arg s "$s" --arg per "$per" \
    '[$row, $s, .fid, .kid_mean, .precision, .recall, ($per | tonumber)] | @tsv' \
    "$out/$row-s$s.json" >>"$cells"
  rm -f "$npy"
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
