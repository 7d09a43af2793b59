#!/usr/bin/env bash
# Trains the families whose sample grids docs/README.md shows, and copies the grids here.
# Usage: bash docs/make_grids.sh [backend] (default tensorflow). Data: $KERAS_GANS_DATA_DIR
# (or ../shared/data beside the checkout); each run also writes runs/<name>/history.json.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-tensorflow}"
export KERAS_GANS_DATA_DIR="${KERAS_GANS_DATA_DIR:-$(cd .. && pwd)/shared/data}"
# Width 32 instead of the default 64 keeps each run within minutes on a 2-core CPU.
run() {  # name family dataset epochs steps_per_epoch
  KERAS_BACKEND="$backend" python -m keras_gans train --family="$2" --dataset="$3" \
    --epochs="$4" --steps_per_epoch="$5" --filters=32 --seed=0 --out_dir="runs/$1"
  cp "runs/$1/samples.png" "docs/images/$1.png"
  cp "runs/$1/losses.png" "docs/images/$1_losses.png"
}
mkdir -p docs/images
run dcgan_mnist dcgan mnist 3 500
run cgan_mnist cgan mnist 3 500
run infogan_mnist infogan mnist 3 500
run wgan_gp_mnist wgan_gp mnist 3 200
run dcgan_cifar10 dcgan cifar10 3 500
