package main

import "github.com/descent-ml/descent/lab"

// compareRecorder records one run of descent compare (lab.Record).
var compareRecorder = lab.Record
