#!/bin/bash
# Interleaved timings of docs/distributed.md: 2 ranks x 1 thread against
# 1 process x 2 threads (and 1 x 1), in the same minute, round after round.
# Build first, then run this script from anywhere (on a shared machine,
# under the measuring lock: flock /work/wt/measure.lock interleave.sh):
#   go build -tags mpi -o /tmp/descent-mpi ./cmd/descent
B=${DESCENT:-/tmp/descent-mpi}
M="mpirun --allow-run-as-root --oversubscribe -np 2"
A="bench --distributed --steps 20 --rounds 1"
step() { "$@" 2>/dev/null | awk '$1 == 0 && NF >= 5 {print $2}'; }
for i in 1 2 3; do
  a=$(step $M $B $A --threads 1); b=$(step $B $A --threads 2)
  c=$(step $B $A --threads 2); d=$(step $M $B $A --threads 1); e=$(step $B $A --threads 1)
  echo "round $i, $(uptime | sed 's/.*load/load/'): 2x1 $a $d  1x2 $b $c  1x1 $e (ms/step)"
done
echo "== cnn"
$B bench --distributed --threads 1 --model cnn --steps 4 2>&1 | tail -1
$M $B bench --distributed --threads 1 --model cnn --steps 4 2>&1 | tail -2
echo "== allreduce"
$M $B bench --distributed --threads 1 --steps 2 2>&1 | sed -n 2,9p
