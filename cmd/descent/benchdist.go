package main

import (
	"io"
	"strconv"

	"github.com/descent-ml/descent/bench"
)

// benchDistributed is `descent bench --distributed` (bench.Distributed).
func benchDistributed(w io.Writer, threadsGiven bool, model string, batch, steps, rounds int) (err error) {
	job, w, err := startJob(true, threadsGiven, w)
	if err != nil {
		return err
	}
	defer func() { err = job.end(err) }()
	c := defaultTrainConfig()
	c.Model, c.Opt, c.Schedule, c.Batch = model, "sgd", "none", strconv.Itoa(batch)
	c.Limit, c.Epochs = bench.DistributedImages(batch, steps, rounds), 1 // no evaluation in the timed steps
	run, err := prepareRun(c, io.Discard, true)
	if err != nil {
		return err
	}
	if err := run.trainer.SetCommunicator(job.communicator()); err != nil {
		return &usageError{err.Error()}
	}
	return bench.Distributed(w, job.communicator(), bench.DistributedSteps{Trainer: run.trainer,
		Model: describeModel(c, []int{28, 28}, 10), Batch: batch, Steps: steps, Rounds: rounds})
}
