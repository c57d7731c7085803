package schedule_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/descent-ml/descent/optim/schedule"
)

// golden is testdata/golden.json, written by testdata/make_golden.py with
// torch.optim.lr_scheduler.
type golden struct {
	Cases []struct {
		Name      string         `json:"name"`
		LR        float64        `json:"lr"`
		Steps     int            `json:"steps"`
		Settings  map[string]any `json:"settings"`
		LRs       []float64      `json:"lrs"`
		Momentums []float64      `json:"momentums"`
	} `json:"cases"`
	Plateau []struct {
		Settings map[string]any `json:"settings"`
		LR       float64        `json:"lr"`
		Metrics  []float64      `json:"metrics"`
		LRs      []float64      `json:"lrs"`
	} `json:"plateau"`
}

func loadGolden(t *testing.T) *golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

// build constructs the schedule of a golden case through the registry,
// New, with the case's torch keyword arguments as settings; what the case
// leaves out takes PyTorch's defaults, and after a warm-up of W of the
// case's steps, T_max and total_steps default to steps - W, as in
// make_golden.py.
func build(t *testing.T, name string, lr float64, steps int, s map[string]any) schedule.Schedule {
	t.Helper()
	sc, err := schedule.New(name, lr, steps, settingsString(s))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// settingsString writes JSON settings as "k=v,k=v", keys sorted.
func settingsString(s map[string]any) string {
	var parts []string
	for k, v := range s {
		parts = append(parts, k+"="+formatSetting(v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func formatSetting(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []any:
		items := make([]string, len(v))
		for i, x := range v {
			items[i] = formatSetting(x)
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	return fmt.Sprint(v)
}

// TestGolden compares every schedule with torch.optim.lr_scheduler, value
// by value, walking forwards (as training does) and then backwards
// (recomputing from the start). The first value, which every recursion
// starts from, must be PyTorch's to the bit.
func TestGolden(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Cases {
		t.Run(fmt.Sprintf("%s/%v", c.Name, c.Settings), func(t *testing.T) {
			sc := build(t, c.Name, c.LR, c.Steps, c.Settings)
			if v, ok := sc.(interface{ Validate() error }); ok {
				if err := v.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			// Errors are measured against the schedule's largest value: where
			// a schedule reaches a small value by cancellation (the bottom of
			// a cosine), one ulp of cos (Go's math.Cos and glibc's differ by
			// that at times) is a large part of the result.
			peak := 0.0
			for _, v := range c.LRs {
				peak = max(peak, math.Abs(v))
			}
			checks, exact, worst := 0, 0, 0.0
			check := func(i int) {
				got, want := sc.At(i), c.LRs[i]
				e := math.Abs(got-want) / peak
				worst = max(worst, e)
				checks++
				if got == want {
					exact++
				}
				if e > 1e-15 || i == 0 && got != want {
					t.Fatalf("step %d: lr %v, PyTorch %v", i, got, want)
				}
				if c.Momentums != nil {
					m, ok := sc.(schedule.MomentumSchedule).MomentumAt(i)
					if !ok || math.Abs(m-c.Momentums[i]) > 1e-15 {
						t.Fatalf("step %d: momentum %v (%v), PyTorch %v", i, m, ok, c.Momentums[i])
					}
				}
			}
			for i := range c.LRs {
				check(i)
			}
			for i := len(c.LRs) - 1; i >= 0; i -= 7 {
				check(i)
			}
			t.Logf("%d of %d values bit-identical, max err %.2g of the peak", exact, checks, worst)
		})
	}
}

// TestGoldenPlateau replays PyTorch's ReduceLROnPlateau on a metric
// sequence.
func TestGoldenPlateau(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Plateau {
		p, err := schedule.PlateauFrom(c.LR, settingsString(c.Settings))
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range c.Metrics {
			if got := p.Step(m); got != c.LRs[i] {
				t.Errorf("%v: after metric %d: lr %v, PyTorch %v", c.Settings, i, got, c.LRs[i])
				break
			}
		}
	}
}
