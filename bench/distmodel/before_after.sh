#!/bin/bash
# Interleaved rounds of docs/distributed.md: 2 ranks x 1 thread against 1
# process x 2 threads, for this tree and an earlier build, in the same
# minute. Build both first, then run under the measuring lock:
#   go build -tags mpi -o /tmp/descent-mpi ./cmd/descent
#   (in a checkout of the earlier commit) go build -tags mpi -o /tmp/descent-mpi-base ./cmd/descent
NEW=${NEW:-/tmp/descent-mpi}; BASE=${BASE:-/tmp/descent-mpi-base}
M="mpirun --allow-run-as-root --oversubscribe -np 2"
A="bench --distributed --steps 20 --rounds 1"
step() { "$@" 2>/dev/null | awk '$1 == 0 && NF >= 5 {print $2}'; }
for i in $(seq ${ROUNDS:-3}); do
  a=$(step $M $NEW $A --threads 1); b=$(step $NEW $A --threads 2)
  c=$(step $M $BASE $A --threads 1); d=$(step $BASE $A --threads 2)
  echo "round $i, $(uptime | sed 's/.*load/load/'): new 2x1 $a 1x2 $b | base 2x1 $c 1x2 $d"
done
