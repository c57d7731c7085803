package main

import (
	"io"
	"strconv"

	"github.com/descent-ml/descent/bench"
	"github.com/descent-ml/descent/train"
)

// benchDistributed is `descent bench --distributed` (bench.Distributed).
func benchDistributed(w io.Writer, threadsGiven bool, model string, batch, steps, rounds int) (err error) {
	job, w, err := startJob(true, threadsGiven, w)
	if err != nil {
		return err
	}
	defer func() { err = job.end(err) }()
	c := train.Defaults()
	c.Model, c.Opt, c.Schedule, c.Batch = model, "sgd", "none", strconv.Itoa(batch)
	c.Limit, c.Epochs = bench.DistributedImages(batch, steps, rounds), 1 // no evaluation in the timed steps
	run, err := prepare(c, io.Discard, true)
	if err != nil {
		return err
	}
	if err := run.Trainer.SetCommunicator(job.Communicator()); err != nil {
		return &usageError{err.Error()}
	}
	return bench.Distributed(w, job.Communicator(), bench.DistributedSteps{Trainer: run.Trainer,
		Model: train.Describe(c, []int{28, 28}, 10), Batch: batch, Steps: steps, Rounds: rounds})
}
