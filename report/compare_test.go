package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// The inputs are real runs of the suite against the reference
// implementation, written by report/testdata/compare/gen (see its doc):
//
//go:generate go run ./testdata/compare/gen testdata/compare

// compareFiles are the committed runs: the reference by default, the
// reference making the other choices Config offers, a reference that
// answers 500 to unusual languages (a MUST failed), and a partial run.
var compareFiles = []string{"default.json", "rejecting.json", "language500.json", "partial.json"}

func compareInputs(t *testing.T) []CompareInput {
	t.Helper()
	var out []CompareInput
	for _, f := range compareFiles {
		in, err := ReadCompareInput(filepath.Join("testdata", "compare", f), VerifyOptions{}, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in)
	}
	return out
}

func mustCompare(t *testing.T, inputs []CompareInput, opt CompareOptions) *Comparison {
	t.Helper()
	c, err := Compare(inputs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// To regenerate the golden files after a deliberate change:
//
//	go test ./report -run TestCompareGolden -update
func TestCompareGolden(t *testing.T) {
	t.Parallel()
	c := mustCompare(t, compareInputs(t), CompareOptions{OutDir: t.TempDir()})
	for _, tc := range []struct {
		golden string
		write  func(io.Writer, *Comparison) error
	}{
		{"compare.md.golden", CompareMarkdown},
		{"compare.json.golden", CompareJSON},
	} {
		var buf bytes.Buffer
		if err := tc.write(&buf, c); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "compare", tc.golden)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s differs; if the change is meant, run go test ./report -run TestCompareGolden -update\n%s",
				path, firstDifference(buf.String(), string(want)))
		}
	}
}
