#!/bin/bash
# Interleaved A/B/C timings of docs/distributed.md: build with
#   go build -tags mpi -o /tmp/descent-mpi ./cmd/descent
# then run this script from anywhere.
B=${DESCENT:-/tmp/descent-mpi}
M="mpirun --allow-run-as-root --oversubscribe"
for i in 1 2 3 4 5; do
  echo "== round $i $(uptime | sed 's/.*load/load/')"
  echo "-- 2 ranks x 1 thread"; $M -np 2 $B bench --distributed --threads 1 --steps 20 2>&1 | tail -3
  echo "-- 1 process x 2 threads"; $B bench --distributed --threads 2 --steps 20 2>&1 | tail -1
  echo "-- 1 process x 1 thread"; $B bench --distributed --threads 1 --steps 20 2>&1 | tail -1
done
echo "== cnn"
for i in 1 2; do
  $B bench --distributed --threads 1 --model cnn --steps 4 2>&1 | tail -3
  $M -np 2 $B bench --distributed --threads 1 --model cnn --steps 4 2>&1 | tail -4
done
echo "== allreduce"
$M -np 2 $B bench --distributed --threads 1 --steps 2 2>&1 | head -10
