#!/usr/bin/env bash
# Trains and evaluates the autoregressive families on fixed-binarised MNIST, one after another
# (never two heavy jobs at once on 2 cores); logs go to runs/<preset>.log.
# Usage: GENZOO_MNIST_DIR=/path/to/mnist scripts/bench_issue3.sh [preset ...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p genzoo-cli
mkdir -p runs
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(mnist_fvsbn mnist_made mnist_nade mnist_made_masks)
for p in "${presets[@]}"; do
  echo "== $p"
  ./target/release/genzoo train --preset "$p" --fresh >"runs/$p.log" 2>&1
  ./target/release/genzoo eval "runs/$p" >>"runs/$p.log" 2>&1
  ./target/release/genzoo sample "runs/$p" -n 100 --out "runs/$p/samples/final.png" >>"runs/$p.log" 2>&1
  tail -n 12 "runs/$p.log"
done
