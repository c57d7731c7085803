package schedule_test

import (
	"fmt"

	"github.com/descent-ml/descent/optim/schedule"
)

// StepLR with step_size 2 and gamma 0.5: the rate halves every two steps.
func ExampleStep() {
	s := &schedule.Step{LR: 0.1, StepSize: 2, Gamma: 0.5}
	for t := range 6 {
		fmt.Print(s.At(t), " ")
	}
	fmt.Println()
	// Output: 0.1 0.1 0.05 0.05 0.025 0.025
}

// CosineAnnealingLR keeps following the cosine past T_max: back up to the
// initial rate at 2*T_max.
func ExampleCosine() {
	s := &schedule.Cosine{LR: 1, TMax: 2}
	for t := range 5 {
		fmt.Printf("%.3g ", s.At(t))
	}
	fmt.Println()
	// Output: 1 0.5 0 0.5 1
}

// A linear warm-up of 3 steps from a third of the rate, then a constant
// rate.
func ExampleWarmup() {
	s := &schedule.Warmup{Steps: 3, StartFactor: 1.0 / 3, Inner: &schedule.Constant{LR: 0.3}}
	for t := range 5 {
		fmt.Printf("%.4g ", s.At(t))
	}
	fmt.Println()
	// Output: 0.1 0.1667 0.2333 0.3 0.3
}

// OneCycleLR starts at max_lr/div_factor, not at the optimizer's lr; it
// computes that value through the cosine, 1 + (0.04-1)/2*(cos(0)+1), and
// so does descent, to the last bit.
func ExampleOneCycle() {
	s := schedule.OneCycleDefaults(1, 10)
	fmt.Println(s.At(0), s.At(2), s.At(9))
	// Output: 0.040000000000000036 1 4e-06
}

// ReduceLROnPlateau cuts the rate after patience+1 calls without
// improvement.
func ExamplePlateau() {
	p := schedule.NewPlateau(0.1)
	p.Patience = 1
	for _, loss := range []float64{1, 0.5, 0.6, 0.7, 0.4} {
		fmt.Print(p.Step(loss), " ")
	}
	fmt.Println()
	// Output: 0.1 0.1 0.1 0.010000000000000002 0.010000000000000002
}

// New builds a schedule by name with torch.optim.lr_scheduler's argument
// names; steps, the run's length, is cosine's default T_max. warmup=2
// puts a linear warm-up first, and the cosine then runs for the 4 steps
// it leaves.
func ExampleNew() {
	s, err := schedule.New("cosine", 0.1, 6, "warmup=2,warmup_start_factor=0.5")
	if err != nil {
		fmt.Println(err)
		return
	}
	for t := range 7 {
		fmt.Printf("%.4f", s.At(t))
		if t < 6 {
			fmt.Print(" ")
		}
	}
	fmt.Println()
	_, err = schedule.New("step", 0.1, 6, "gama=0.5")
	fmt.Println(err)
	// Output:
	// 0.0500 0.0750 0.1000 0.0854 0.0500 0.0146 0.0000
	// schedule: step: unknown setting "gama"; valid settings: step_size, gamma, warmup, warmup_start_factor
}

// PlateauFrom builds ReduceLROnPlateau from PyTorch's argument names: with
// patience 1 the rate falls by factor after the second epoch without
// improvement.
func ExamplePlateauFrom() {
	p, err := schedule.PlateauFrom(0.1, "factor=0.5,patience=1")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, loss := range []float64{1, 0.9, 0.95, 0.95, 0.95} {
		fmt.Print(p.Step(loss), " ")
	}
	fmt.Println()
	// Output: 0.1 0.1 0.1 0.05 0.05
}

// A one-cycle schedule of 100 steps has 101 learning rates (the one at
// construction, then one per step); asking for more is PyTorch's "Tried
// to step 102 times".
func ExampleCheckLength() {
	sc, _ := schedule.New("onecycle", 0.1, 100, "")
	fmt.Println(schedule.CheckLength(sc, 101))
	fmt.Println(schedule.CheckLength(sc, 102))
	// Output:
	// <nil>
	// schedule: onecycle: 102 steps go past total_steps 100 (PyTorch raises "Tried to step 102 times"); give total_steps >= 101
}
