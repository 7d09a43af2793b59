#!/usr/bin/env bash
# Runs the whole suite once per Keras backend; fails if any backend fails.
# Extra arguments go to pytest (for example: bash tests/run.sh -x -k saving).
#
# The three backends run side by side in KERAS_GANS_TEST_JOBS lanes (default:
# the number of CPU cores, at most 3): each pytest process is mostly one
# thread (compiling under JAX, single-threaded kernels elsewhere), so two
# lanes on two cores take about the time of the longest lane instead of the
# sum. With two lanes JAX, the slowest backend, runs alone in the first and
# TensorFlow then PyTorch in the second. Each backend's output goes to
# .test-logs/<backend>.log and is printed whole when its lane ends.
# KERAS_GANS_TEST_JOBS=1 runs them one after another, printing as it goes.
set -u
cd "$(dirname "$0")/.."
# The suite's models are tiny, and PyTorch's thread pool slows down by 20x and
# more when the machine is busy (a 300-step demo: 156 s with two threads
# against 6 s with one, at a load of 4.6 on 2 cores).
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"

# (nproc would honour OMP_NUM_THREADS.)
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 1)
jobs="${KERAS_GANS_TEST_JOBS:-$cores}"
case "$jobs" in
  '' | *[!0-9]* | 0)
    echo "KERAS_GANS_TEST_JOBS must be a positive integer; received '$jobs'" >&2
    exit 2
    ;;
esac
[ "$jobs" -gt 3 ] && jobs=3

run_backend() {  # backend, then pytest's arguments
  local backend=$1
  shift
  KERAS_BACKEND=$backend python -m pytest -q --run-large -p no:cacheprovider \
    --basetemp="$temp_root/$backend" "$@"
}

# Each backend's temporary files in a folder of its own, outside the
# repository (tests copy the source tree).
temp_root=$(mktemp -d "${TMPDIR:-/tmp}/keras_gans_tests.XXXXXX")
trap 'rm -rf "$temp_root"' EXIT

mkdir -p .test-logs
if [ "$jobs" -eq 1 ]; then
  lanes=("tensorflow jax torch")
elif [ "$jobs" -eq 2 ]; then
  lanes=("jax" "tensorflow torch")
else
  lanes=("jax" "tensorflow" "torch")
fi

status=0
if [ "$jobs" -eq 1 ]; then
  for backend in ${lanes[0]}; do
    echo "=== KERAS_BACKEND=$backend ==="
    run_backend "$backend" "$@" || status=1
  done
else
  echo "Running the backends in $jobs lanes: $(printf '[%s] ' "${lanes[@]}")"
  pids=()
  for lane in "${lanes[@]}"; do
    (
      lane_status=0
      for backend in $lane; do
        start=$(date +%s)
        run_backend "$backend" "$@" >".test-logs/$backend.log" 2>&1
        rc=$?
        [ "$rc" -ne 0 ] && lane_status=1
        header="=== KERAS_BACKEND=$backend (exit $rc, $(($(date +%s) - start)) s) ==="
        sed -i "1i $header" ".test-logs/$backend.log"
        # One lane prints at a time.
        if command -v flock >/dev/null; then
          flock .test-logs/.print cat ".test-logs/$backend.log"
        else
          cat ".test-logs/$backend.log"
        fi
      done
      exit $lane_status
    ) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || status=1
  done
fi
if [ "$status" -ne 0 ]; then
  echo "tests failed on at least one backend"
fi
exit $status
