#!/usr/bin/env bash
# PacGAN's Table 1 on 2 cores: GANs on ring8 and grid25, each (toy, loss, packing) over seeds,
# mode coverage of 2,500 samples per run. One run at a time; resumable: a finished run has its
# line in runs/gan_toys/cells.tsv and is skipped. Extra --set overrides apply to every run.
# Usage: scripts/gan_toys.sh "ring grid" "non-saturating minimax" "1 2" "0 1 2 3 4 5 6 7 8 9" [--set k=v ...]
set -euo pipefail
cd "$(dirname "$0")/.."
toys=${1:-"ring grid"}; losses=${2:-"non-saturating minimax"}; packs=${3:-"1"}
seeds=${4:-"0 1 2 3 4 5 6 7 8 9"}; shift $(( $# < 4 ? $# : 4 ))
out=runs/gan_toys; mkdir -p "$out"
cells=$out/cells.tsv
[ -f "$cells" ] || printf 'toy\tloss\tpack\tseed\tsteps\tmodes\tcovered\thigh_quality\treverse_kl\ttrain_s\n' >"$cells"
bin=./target/release/genzoo
for toy in $toys; do for loss in $losses; do for pack in $packs; do for seed in $seeds; do
  name=gan_${toy}_${loss}_p${pack}_s${seed}
  grep -q "^$toy	$loss	$pack	$seed	" "$cells" && continue
  start=$(date +%s.%N)
  $bin train --preset "toy_gan_$toy" --fresh --runs "$out" --set name="$name" \
    --set model.loss="$loss" --set model.pack="$pack" --set seed="$seed" "$@" >"$out/$name.log" 2>&1
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  $bin eval "$out/$name" >>"$out/$name.log" 2>&1
  json=$(ls -t "$out/$name"/eval/*modes*.json | head -1)
  python3 - "$json" "$toy" "$loss" "$pack" "$seed" "$secs" >>"$cells" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
t, l, p, s, secs = sys.argv[2:7]
print("\t".join([t, l, p, s, str(j["step"]), str(j["modes"]), str(j["modes_covered"]),
                 f'{j["high_quality"]:.4f}', f'{j["reverse_kl"]:.4f}' if j["reverse_kl"] is not None else "nan",
                 f"{float(secs):.0f}"]))
PY
  tail -n 1 "$cells"
done; done; done; done
