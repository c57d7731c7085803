package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/descent-ml/descent/dist"
)

// distJob is this process's place in a job started by mpirun (dist.Job).
type distJob struct{ *dist.Job }

// startJob joins the MPI job for --distributed; w is io.Discard off rank 0.
func startJob(distributed, threadsGiven bool, w io.Writer) (*distJob, io.Writer, error) {
	if !distributed {
		return &distJob{&dist.Job{}}, w, nil
	}
	j, err := dist.Join(openMPI, !threadsGiven)
	if err != nil {
		return nil, w, err
	}
	if j.Comm == nil {
		fmt.Fprintln(w, "--distributed: this job has one process (start it with mpirun -np N for more); training as a single process")
	}
	return &distJob{j}, j.Output(w), nil
}

// end finishes the job (dist.Job.End): bad input and exit errors are shared.
func (j *distJob) end(err error) error {
	if j.Comm == nil {
		return err
	}
	var ue *usageError
	var ee *exitError
	shared, code, msg := true, 1, ""
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = max(ee.code, 1)
		if ee.msg != "" {
			msg = "descent train: " + ee.msg
		}
	case errors.As(err, &ue), isFlagError(err):
		code, msg = 2, "descent train: "+oneLine(err.Error())+" (see descent train --help)"
	default:
		shared, msg = false, fmt.Sprintf("descent: rank %d: %s", j.Comm.Rank(), oneLine(err.Error()))
	}
	if cerr := j.End(shared, msg); err != nil || cerr != nil {
		return &exitError{code: code} // said above
	}
	return nil
}
