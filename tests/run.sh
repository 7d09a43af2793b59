#!/usr/bin/env bash
# Runs the whole suite once per Keras backend; fails if any backend fails.
# Extra arguments go to pytest (for example: bash tests/run.sh -x -k saving).
set -u
cd "$(dirname "$0")/.."
# The suite's models are tiny, and PyTorch's thread pool slows down by 20x and
# more when the machine is busy (a 300-step demo: 156 s with two threads
# against 6 s with one, at a load of 4.6 on 2 cores).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
status=0
for backend in tensorflow jax torch; do
  echo "=== KERAS_BACKEND=$backend ==="
  KERAS_BACKEND=$backend TF_CPP_MIN_LOG_LEVEL=3 python -m pytest -q --run-large "$@" || status=1
done
if [ "$status" -ne 0 ]; then
  echo "tests failed on at least one backend"
fi
exit $status
