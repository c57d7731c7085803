// Package doctor watches a run's statistics (package monitor) and names
// what is going wrong, with the lecture's reason and what to try: a
// training doctor. Each finding is printed once per run as the line
//
//	diagnosis: KIND: what is happening; why; what to try
//
// with KIND one of the Kind constants. Every rule reads only the rows
// monitor writes (steps.csv, layers.csv), so the same rules run live during
// training and over a finished run's files. A false alarm is a bug: the
// thresholds are set far from what healthy runs show (the default run and
// the README's examples produce no finding; see the tests).
package doctor

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/descent-ml/descent/monitor"
)

// Kind names a finding.
type Kind string

// The kinds of finding.
const (
	VanishingGradients Kind = "vanishing-gradients"
	ExplodingGradients Kind = "exploding-gradients"
	DeadUnits          Kind = "dead-units"
	SaturatedUnits     Kind = "saturated-units"
	LRTooHigh          Kind = "lr-too-high"
	LRTooLow           Kind = "lr-too-low"
	LossPlateau        Kind = "loss-plateau"
)

// Kinds lists every kind, in the order the rules run.
var Kinds = []Kind{ExplodingGradients, VanishingGradients, DeadUnits, SaturatedUnits, LRTooHigh, LRTooLow, LossPlateau}

// Finding is one diagnosis.
type Finding struct {
	Kind Kind
	Step int    // the step whose statistics showed it
	What string // what is happening, with the numbers
	Why  string // the lecture's reason
	Try  string // what to try
}

// String is the finding's line, without a newline.
func (f Finding) String() string {
	return fmt.Sprintf("diagnosis: %s: %s; %s; try %s", f.Kind, f.What, f.Why, f.Try)
}

// Doctor applies the rules to the rows a monitor.Recorder writes, as a
// monitor.Watcher, and prints each kind of finding once.
type Doctor struct {
	out      []io.Writer
	fired    map[Kind]bool
	findings []Finding
	prev     []monitor.LayerRow // the previous layer record
	steps    []monitor.StepRow  // the recent step rows (at most plateauRows*2)
	minLoss  float64
	nsteps   int
}

var _ monitor.Watcher = (*Doctor)(nil)

// New returns a doctor that writes its lines to each of out.
func New(out ...io.Writer) *Doctor {
	return &Doctor{out: out, fired: map[Kind]bool{}}
}

// Findings returns what was found so far.
func (d *Doctor) Findings() []Finding { return d.findings }

func (d *Doctor) report(f Finding, ok bool) {
	if !ok || d.fired[f.Kind] {
		return
	}
	d.fired[f.Kind] = true
	d.findings = append(d.findings, f)
	for _, w := range d.out {
		fmt.Fprintln(w, f.String())
	}
}

// Layers implements monitor.Watcher: the rules over per-layer records.
func (d *Doctor) Layers(rows []monitor.LayerRow) {
	if len(rows) == 0 {
		return
	}
	exploding, ok := Exploding(rows)
	d.report(exploding, ok)
	initProblem := ok
	f, ok := Vanishing(rows)
	d.report(f, ok)
	initProblem = initProblem || ok
	if len(d.prev) == len(rows) {
		d.report(Dead(d.prev, rows))
		d.report(Saturated(d.prev, rows))
		d.report(UpdatesTooSmall(d.prev, rows))
	}
	// Huge updates are the init's fault when the signal explodes.
	if !initProblem {
		d.report(UpdatesTooLarge(rows))
	}
	d.prev = append(d.prev[:0], rows...)
}

// Steps implements monitor.Watcher: the rules over the loss.
func (d *Doctor) Steps(r monitor.StepRow) {
	if len(d.steps) == 2*PlateauRows {
		copy(d.steps, d.steps[1:])
		d.steps = d.steps[:len(d.steps)-1]
	}
	d.steps = append(d.steps, r)
	if d.nsteps == 0 || r.Loss < d.minLoss {
		d.minLoss = r.Loss
	}
	d.nsteps++
	d.report(LossRising(r, d.minLoss, d.nsteps))
	d.report(Plateau(d.steps))
}

// layerList names layers compactly: "0, 2, 4 (3 of 10)".
func layerList(names []string, total int) string {
	s := strings.Join(names, ", ")
	if len(names) > 8 {
		s = strings.Join(names[:4], ", ") + ", ..., " + strings.Join(names[len(names)-2:], ", ")
	}
	return fmt.Sprintf("%s (%d of %d)", s, len(names), total)
}

// File is the run directory's file of findings, one line each (the lines
// printed while training), appended to.
const File = "diagnoses.txt"

// Examine replays a run directory's steps.csv and layers.csv through the
// rules, in step order, and returns the findings: the doctor of a finished
// run, or of one written before the doctor existed.
func Examine(dir string) ([]Finding, error) {
	steps, err := monitor.ReadSteps(filepath.Join(dir, monitor.StepsFile))
	if err != nil {
		return nil, err
	}
	layers, err := monitor.ReadLayers(filepath.Join(dir, monitor.LayersFile))
	if err != nil {
		return nil, err
	}
	d := New()
	i := 0
	for len(steps) > 0 || i < len(layers) {
		// Layer rows of a step come after its step row, as when recording.
		if i < len(layers) && (len(steps) == 0 || layers[i].Step < steps[0].Step) {
			j := i
			for j < len(layers) && layers[j].Step == layers[i].Step {
				j++
			}
			d.Layers(layers[i:j])
			i = j
			continue
		}
		d.Steps(steps[0])
		steps = steps[1:]
	}
	return d.Findings(), nil
}
