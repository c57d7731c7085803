package lab

import (
	"bufio"
	"fmt"
	"io"

	"github.com/descent-ml/descent/optim/schedule"
)

// WriteScheduleCSV writes the learning rates of s for steps optimizer
// steps as CSV step,lr (what `descent schedule` prints): row t is s.At(t),
// the rate step t uses (row 0: at construction).
func WriteScheduleCSV(w io.Writer, s schedule.Schedule, steps int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "step,lr")
	for t := range steps {
		fmt.Fprintf(bw, "%d,%s\n", t, formatFloat(s.At(t)))
	}
	return bw.Flush()
}

// PlotSchedule draws the learning rate of s, called name, against the
// step for steps steps into path (.png, .svg or .pdf).
func PlotSchedule(path, name string, s schedule.Schedule, steps int) error {
	xs, ys := make([]float64, steps), make([]float64, steps)
	for t := range steps {
		xs[t], ys[t] = float64(t), s.At(t)
	}
	return SavePanels(path, Panel{Title: name + " schedule", XLabel: "step", YLabel: "learning rate",
		YFromZero: true, Series: []Series{{Label: name, X: xs, Y: ys}}})
}
