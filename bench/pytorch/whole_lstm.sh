#!/bin/sh
# whole_lstm.sh T BIN: one whole-process run of descent and of PyTorch at T threads, one after the other.
# Usage: go build -o /tmp/descent ./cmd/descent; bench/pytorch/whole_lstm.sh 1 /tmp/descent (then 2).
# Prints wall time and peak RSS (GNU time -v) of descent train --model lstm (one epoch, Adam
# lr 0.001, no schedule, then the test) and of its PyTorch twin mnist_seq.py at T threads.
T=$1; BIN=$2
cd "$(dirname "$0")/../.."
D=/tmp/whole; mkdir -p $D; rm -rf $D/out$T
/usr/bin/time -v $BIN train --model lstm --opt adam --lr 0.001 --epochs 1 --schedule none --threads $T --quiet --out $D/out$T > $D/d.log 2> $D/d.err
dw=$(grep "Elapsed (wall" $D/d.err | awk '{print $NF}'); dr=$(grep "Maximum resident" $D/d.err | awk '{print $NF}')
acc=$(grep -o "test accuracy: [0-9.]*" $D/d.log $D/d.err | head -1)
OMP_NUM_THREADS=$T /usr/bin/time -v ${TORCH_PYTHON:-../shared/tools/torch-python} bench/pytorch/mnist_seq.py --threads $T > $D/p.log 2> $D/p.err
pw=$(grep "Elapsed (wall" $D/p.err | awk '{print $NF}'); pr=$(grep "Maximum resident" $D/p.err | awk '{print $NF}')
echo "T=$T descent wall=$dw rss_kb=$dr [$acc] | pytorch wall=$pw rss_kb=$pr $(tail -1 $D/p.log)"
