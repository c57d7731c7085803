package cliflag

import (
	"flag"
	"io"
	"strings"
	"testing"
)

type config struct {
	Name   string  `flag:"name" help:"a name"`
	Depth  int     `flag:"depth" help:"layers" range:"1,10"`
	Seed   uint64  `flag:"seed" help:"random seed"`
	Scale  float64 `flag:"scale" help:"a factor"`
	Quiet  bool    `flag:"quiet" help:"say less"`
	Hidden []int   // no tag: no flag
}

func TestBind(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want config
	}{
		{nil, config{Name: "a", Depth: 3, Seed: 1, Scale: 0.5}},
		{[]string{"--name", "b", "--depth", "7", "--seed", "9", "--scale", "-2.5", "--quiet"},
			config{Name: "b", Depth: 7, Seed: 9, Scale: -2.5, Quiet: true}},
	} {
		c := config{Name: "a", Depth: 3, Seed: 1, Scale: 0.5}
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		Bind(fs, &c)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if c.Name != tc.want.Name || c.Depth != tc.want.Depth || c.Seed != tc.want.Seed || c.Scale != tc.want.Scale || c.Quiet != tc.want.Quiet {
			t.Errorf("%v: got %+v, want %+v", tc.args, c, tc.want)
		}
	}
}

func TestBindDefaultsAndUsage(t *testing.T) {
	c := config{Depth: 3}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Bind(fs, &c)
	f := fs.Lookup("depth")
	if f == nil || f.DefValue != "3" || f.Usage != "layers" {
		t.Fatalf("--depth: got %+v", f)
	}
	if fs.Lookup("hidden") != nil || fs.Lookup("Hidden") != nil {
		t.Error("a field without a flag tag became a flag")
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse([]string{"--depth", "x"}); err == nil || !strings.Contains(err.Error(), "-depth") {
		t.Errorf("a malformed integer: got %v", err)
	}
}

func TestBindOnly(t *testing.T) {
	var c config
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Bind(fs, &c, "seed", "quiet")
	var got []string
	fs.VisitAll(func(f *flag.Flag) { got = append(got, f.Name) })
	if strings.Join(got, " ") != "quiet seed" {
		t.Errorf("got flags %v, want quiet seed", got)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		depth int
		want  string
	}{{1, ""}, {10, ""}, {0, "--depth 0: must be between 1 and 10"}, {11, "--depth 11: must be between 1 and 10"}} {
		err := Check(config{Depth: tc.depth})
		if got := ""; err != nil {
			got = err.Error()
			if got != tc.want {
				t.Errorf("depth %d: got %q, want %q", tc.depth, got, tc.want)
			}
		} else if tc.want != "" {
			t.Errorf("depth %d: no error, want %q", tc.depth, tc.want)
		}
	}
}

func TestBindPanicsOnUnsupportedType(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a []int field with a flag tag")
		}
	}()
	var c struct {
		Widths []int `flag:"widths"`
	}
	Bind(flag.NewFlagSet("t", flag.ContinueOnError), &c)
}

// TestChoices: a choices tag ends the usage line and limits what Check
// accepts.
func TestChoices(t *testing.T) {
	type cfg struct {
		Act string `flag:"act" help:"activation" choices:"relu,tanh"`
	}
	c := cfg{Act: "relu"}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Bind(fs, &c)
	if u := fs.Lookup("act").Usage; u != "activation: relu, tanh" {
		t.Errorf("usage %q", u)
	}
	if err := Check(c); err != nil {
		t.Errorf("relu: %v", err)
	}
	c.Act = "x"
	if err := Check(&c); err == nil || err.Error() != `--act "x": valid: relu, tanh` {
		t.Errorf("x: %v", err)
	}
}
