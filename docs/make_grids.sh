#!/usr/bin/env bash
# Trains the families whose sample grids docs/README.md shows, and copies the grids here.
# Usage: bash docs/make_grids.sh [backend [run names...]]  (default: tensorflow, every run).
# Data: $KERAS_GANS_DATA_DIR, or ../shared/data beside the checkout. Each run writes
# runs/<name>/ (grids per epoch, history.json with the training time, model.keras).
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-tensorflow}"
shift || true
export KERAS_GANS_DATA_DIR="${KERAS_GANS_DATA_DIR:-$(cd .. && pwd)/shared/data}"
# name family dataset epochs steps_per_epoch. Width 32 (--filters) instead of the
# default 64 keeps each run within minutes on a 2-core CPU.
RUNS=(
  "dcgan_mnist dcgan mnist 3 500"
  "cgan_mnist cgan mnist 3 500"
  "infogan_mnist infogan mnist 5 1000"
  "wgan_gp_mnist wgan_gp mnist 4 500"
  "dcgan_cifar10 dcgan cifar10 3 500"
)
mkdir -p docs/images
for spec in "${RUNS[@]}"; do
  read -r name family dataset epochs steps <<<"$spec"
  if [ "$#" -gt 0 ] && [[ ! " $* " =~ " $name " ]]; then continue; fi
  KERAS_BACKEND="$backend" python -m keras_gans train --family="$family" --dataset="$dataset" \
    --epochs="$epochs" --steps_per_epoch="$steps" --filters=32 --seed=0 --out_dir="runs/$name"
  cp "runs/$name/samples.png" "docs/images/$name.png"
  cp "runs/$name/losses.png" "docs/images/${name}_losses.png"
done
