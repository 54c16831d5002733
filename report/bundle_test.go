package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/contract"
	"github.com/drsconform/drsconform/result"
)

// bundleReport is the sample run as this suite would have made it: this
// spec, the embedded case files.
func bundleReport(t *testing.T) *result.Report {
	r := sampleReport()
	ct, err := contract.Default()
	if err != nil {
		t.Fatal(err)
	}
	r.SpecSHA256 = ct.SpecSHA256()
	_, _, _, embedded, err := suiteDigests()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range embedded {
		r.CaseFiles = append(r.CaseFiles, result.CaseFile{Path: d.Path, SHA256: d.SHA256})
	}
	return r
}

func TestBundleVerifiesUntouched(t *testing.T) {
	dir := t.TempDir()
	paths, err := WriteDir(dir, bundleReport(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := filepath.Base(paths[len(paths)-1]); got != ManifestFile {
		t.Errorf("last file written %s, want the manifest", got)
	}
	if err := VerifyBundle(dir); err != nil {
		t.Fatalf("an untouched bundle does not verify:\n%v", err)
	}
	if err := VerifyBundleWith(dir, VerifyOptions{SuiteVersion: "0.1.0-test"}); err != nil {
		t.Fatal(err)
	}
	err = VerifyBundleWith(dir, VerifyOptions{SuiteVersion: "9.9.9"})
	if err == nil || !strings.Contains(err.Error(), "manifest.json: written by suite 0.1.0-test") {
		t.Errorf("a bundle of another suite version: %v", err)
	}
}

// One byte changed in any file of the bundle fails verification, naming
// that file.
func TestBundleDetectsOneChangedByte(t *testing.T) {
	src := t.TempDir()
	if _, err := WriteDir(src, bundleReport(t)); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for _, where := range []string{"start", "middle", "end"} {
			t.Run(e.Name()+"/"+where, func(t *testing.T) {
				dir := t.TempDir()
				for _, f := range entries {
					b, err := os.ReadFile(filepath.Join(src, f.Name()))
					if err != nil {
						t.Fatal(err)
					}
					if f.Name() == e.Name() {
						i := map[string]int{"start": 0, "middle": len(b) / 2, "end": len(b) - 1}[where]
						b[i] ^= 0x01
					}
					if err := os.WriteFile(filepath.Join(dir, f.Name()), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				err := VerifyBundle(dir)
				var ms BundleMismatches
				if !errors.As(err, &ms) {
					t.Fatalf("changed byte in %s not detected: %v", e.Name(), err)
				}
				if ms[0].File != e.Name() {
					t.Errorf("the first mismatch names %s, want %s:\n%v", ms[0].File, e.Name(), err)
				}
			})
		}
	}
}

func TestBundleDetectsAMissingFileAndAStrangeSuite(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteDir(dir, bundleReport(t)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "report.html")); err != nil {
		t.Fatal(err)
	}
	if err := VerifyBundle(dir); err == nil || !strings.Contains(err.Error(), "report.html: cannot read") {
		t.Errorf("missing report.html: %v", err)
	}

	// A run whose report names another spec than this suite's.
	other := t.TempDir()
	r := bundleReport(t)
	r.SpecSHA256 = strings.Repeat("cd", 32)
	if _, err := WriteDir(other, r); err != nil {
		t.Fatal(err)
	}
	if err := VerifyBundle(other); err == nil || !strings.Contains(err.Error(), "report.json: spec_sha256") {
		t.Errorf("another spec: %v", err)
	}

	if err := VerifyBundle(t.TempDir()); !errors.Is(err, ErrNoBundle) {
		t.Errorf("an empty directory: %v", err)
	}
}
