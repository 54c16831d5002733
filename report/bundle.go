package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/conformance"
	"github.com/drsconform/drsconform/openapi"
	"github.com/drsconform/drsconform/result"
	"github.com/drsconform/drsconform/schemas"
)

// ManifestFile is the name of a results bundle's manifest.
const ManifestFile = "manifest.json"

// Manifest says which suite produced a results bundle and what its files
// were when written. A reviewer's `drsconform verify-bundle` recomputes every
// digest: the report files from the bundle, the suite's inputs from the
// binary that verifies (so the same suite version must verify), and the
// manifest from its own bytes.
//
// The digests make an edit evident, not impossible: whoever can rewrite every
// file can rewrite the manifest too. What cannot be forged that way is the
// tie to the suite: the spec, schemas, catalogue and cases must be the ones
// the verifying binary carries, and every rendering must be what that binary
// renders from report.json.
type Manifest struct {
	Format       int    `json:"format"` // 1
	SuiteVersion string `json:"suite_version"`
	// ManifestSHA256 is the SHA-256 of this file's bytes with this value
	// set to 64 zeros.
	ManifestSHA256 string   `json:"manifest_sha256"`
	Reports        []Digest `json:"reports"`      // the files of the bundle
	Spec           []Digest `json:"spec"`         // openapi/*
	Schemas        []Digest `json:"schemas"`      // schemas/*.json
	Requirements   Digest   `json:"requirements"` // conformance/requirements.yaml
	Cases          []Digest `json:"cases"`        // the case files the run loaded
	CasesEmbedded  bool     `json:"cases_embedded"`
}

// Digest is a file and the hex SHA-256 of its bytes.
type Digest struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

var zeroDigest = strings.Repeat("0", 64)

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// suiteDigests are the digests of the suite's inputs this binary carries.
func suiteDigests() (spec, schemaFiles []Digest, reqs Digest, embeddedCases []Digest, err error) {
	digestFS := func(fsys fs.FS, dir, glob string) ([]Digest, error) {
		names, err := fs.Glob(fsys, glob)
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		var out []Digest
		for _, n := range names {
			b, err := fs.ReadFile(fsys, n)
			if err != nil {
				return nil, err
			}
			out = append(out, Digest{Path: path.Join(dir, n), SHA256: sha(b)})
		}
		return out, nil
	}
	if spec, err = digestFS(openapi.FS, "openapi", "*"); err != nil {
		return
	}
	if schemaFiles, err = digestFS(schemas.FS, "schemas", "*.json"); err != nil {
		return
	}
	if embeddedCases, err = digestFS(cases.FS, "cases", "*.yaml"); err != nil {
		return
	}
	reqs = Digest{Path: conformance.RequirementsFile, SHA256: sha(conformance.RequirementsSource())}
	return
}

// caseDigests are the case files of the run, and whether they are exactly
// the embedded ones.
func caseDigests(r *result.Report, embedded []Digest) ([]Digest, bool) {
	var out []Digest
	for _, f := range r.CaseFiles {
		out = append(out, Digest{Path: filepath.ToSlash(f.Path), SHA256: f.SHA256})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	same := len(out) > 0 && len(out) == len(embedded)
	for i := range out {
		if same && out[i] != embedded[i] {
			same = false
		}
	}
	return out, same
}

// writeManifest writes manifest.json for the report files written to dir.
func writeManifest(dir string, r *result.Report, files []string) (string, error) {
	spec, schemaFiles, reqs, embedded, err := suiteDigests()
	if err != nil {
		return "", err
	}
	m := Manifest{Format: 1, SuiteVersion: r.SuiteVersion, ManifestSHA256: zeroDigest,
		Spec: spec, Schemas: schemaFiles, Requirements: reqs}
	m.Cases, m.CasesEmbedded = caseDigests(r, embedded)
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return "", err
		}
		m.Reports = append(m.Reports, Digest{Path: name, SHA256: sha(b)})
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	raw = append(raw, '\n')
	raw = bytes.Replace(raw, []byte(`"manifest_sha256": "`+zeroDigest+`"`), []byte(`"manifest_sha256": "`+sha(raw)+`"`), 1)
	p := filepath.Join(dir, ManifestFile)
	return p, WriteFile(p, func(w io.Writer) error { _, err := w.Write(raw); return err })
}

// BundleMismatch is a file of a bundle that is not what it should be.
type BundleMismatch struct {
	File   string // relative to the bundle, or the suite file (openapi/…)
	Reason string
}

func (e *BundleMismatch) Error() string { return e.File + ": " + e.Reason }

// BundleMismatches are every mismatch found, in the order checked.
type BundleMismatches []*BundleMismatch

func (ms BundleMismatches) Error() string {
	lines := make([]string, len(ms))
	for i, m := range ms {
		lines[i] = m.Error()
	}
	return strings.Join(lines, "\n")
}

// ErrNoBundle is wrapped when dir holds no manifest.
var ErrNoBundle = errors.New("not a results bundle (no " + ManifestFile + ")")

// VerifyOptions tunes VerifyBundle.
type VerifyOptions struct {
	// SuiteVersion, when set, is the version of the verifying suite; a
	// bundle of another version is a mismatch (its renderings and digests
	// are another suite's).
	SuiteVersion string
	// CasesDir is the directory of the case files a --cases run used; their
	// digests are then recomputed too. Without it, such a bundle's case
	// digests are only checked against its report.json.
	CasesDir string
}

var manifestDigestField = regexp.MustCompile(`"manifest_sha256": "([0-9a-f]{64})"`)

// VerifyBundle checks a results bundle written by WriteDir: the manifest's
// own digest, every report file's digest, the suite's inputs against this
// binary's, and that report.json's renderings are what this suite renders.
// A mismatch comes back as BundleMismatches naming each file.
func VerifyBundle(dir string) error { return VerifyBundleWith(dir, VerifyOptions{}) }

// VerifyBundleWith is VerifyBundle with options.
func VerifyBundleWith(dir string, opt VerifyOptions) error {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", dir, ErrNoBundle)
	}
	if err != nil {
		return err
	}
	var ms BundleMismatches
	bad := func(file, format string, args ...any) {
		ms = append(ms, &BundleMismatch{File: file, Reason: fmt.Sprintf(format, args...)})
	}

	// The manifest itself.
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		bad(ManifestFile, "not valid JSON: %v", err)
		return ms
	}
	loc := manifestDigestField.FindSubmatchIndex(raw)
	if loc == nil {
		bad(ManifestFile, "no manifest_sha256 of 64 hex digits")
	} else {
		zeroed := slicesConcat(raw[:loc[2]], []byte(zeroDigest), raw[loc[3]:])
		if got := sha(zeroed); got != string(raw[loc[2]:loc[3]]) {
			bad(ManifestFile, "edited: its SHA-256 is %s, it says %s", got, raw[loc[2]:loc[3]])
		}
	}
	if m.Format != 1 {
		bad(ManifestFile, "format %d, want 1", m.Format)
	}
	if opt.SuiteVersion != "" && m.SuiteVersion != opt.SuiteVersion {
		bad(ManifestFile, "written by suite %s; this is suite %s: verify it with that version", m.SuiteVersion, opt.SuiteVersion)
	}

	// The report files.
	listed := map[string]bool{}
	for _, d := range m.Reports {
		listed[d.Path] = true
		if d.Path != filepath.Base(d.Path) || d.Path == ManifestFile {
			bad(ManifestFile, "lists %q, which is not a report file name", d.Path)
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, d.Path))
		if err != nil {
			bad(d.Path, "cannot read: %v", err)
			continue
		}
		if got := sha(b); got != d.SHA256 {
			bad(d.Path, "edited: its SHA-256 is %s, the manifest says %s", got, d.SHA256)
		}
	}
	for _, f := range Formats() {
		if !listed[f.File] {
			bad(ManifestFile, "does not list %s", f.File)
		}
	}

	// The suite's inputs, against this binary.
	spec, schemaFiles, reqs, embedded, err := suiteDigests()
	if err != nil {
		return err
	}
	compareSet(spec, m.Spec, "the spec", bad)
	compareSet(schemaFiles, m.Schemas, "the schemas", bad)
	compareSet([]Digest{reqs}, []Digest{m.Requirements}, "the requirement catalogue", bad)

	// report.json: the run the renderings come from.
	rj, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		bad("report.json", "cannot read: %v", err)
		return ms
	}
	rep, err := ReadJSON(bytes.NewReader(rj))
	if err != nil {
		bad("report.json", "not a report: %v", err)
		return ms
	}
	if rep.SuiteVersion != m.SuiteVersion {
		bad("report.json", "suite_version %s, the manifest says %s", rep.SuiteVersion, m.SuiteVersion)
	}
	if len(spec) == 1 && rep.SpecSHA256 != spec[0].SHA256 {
		bad("report.json", "spec_sha256 %s is not this suite's spec (%s)", rep.SpecSHA256, spec[0].SHA256)
	}
	runCases, _ := caseDigests(rep, embedded)
	compareSet(runCases, m.Cases, "the case files of report.json", bad)
	switch {
	case m.CasesEmbedded:
		compareSet(embedded, m.Cases, "the embedded cases", bad)
	case opt.CasesDir != "":
		var local []Digest
		for _, d := range m.Cases {
			b, err := os.ReadFile(filepath.Join(opt.CasesDir, path.Base(d.Path)))
			if err != nil {
				bad(d.Path, "not in %s: %v", opt.CasesDir, err)
				continue
			}
			local = append(local, Digest{Path: d.Path, SHA256: sha(b)})
		}
		compareSet(local, m.Cases, "the case files in "+opt.CasesDir, bad)
	}

	// Every rendering is what this suite renders from report.json.
	for _, f := range Formats() {
		if f.Name == "json" || !listed[f.File] {
			continue
		}
		have, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			continue // reported above
		}
		var want bytes.Buffer
		if err := f.Write(&want, rep); err != nil {
			bad(f.File, "cannot render from report.json: %v", err)
			continue
		}
		if !bytes.Equal(have, want.Bytes()) {
			bad(f.File, "is not what this suite renders from report.json (edited, or rendered by another version)")
		}
	}
	if len(ms) > 0 {
		return ms
	}
	return nil
}

// compareSet reports every file whose digest in the manifest (got) differs
// from the one recomputed (want), and files present on one side only.
func compareSet(want, got []Digest, what string, bad func(file, format string, args ...any)) {
	w := map[string]string{}
	for _, d := range want {
		w[d.Path] = d.SHA256
	}
	g := map[string]string{}
	for _, d := range got {
		g[d.Path] = d.SHA256
	}
	for _, d := range got {
		switch sum, ok := w[d.Path]; {
		case !ok:
			bad(d.Path, "listed in the manifest but not part of %s", what)
		case sum != d.SHA256:
			bad(d.Path, "SHA-256 %s in the manifest, %s in %s", d.SHA256, sum, what)
		}
	}
	for _, d := range want {
		if _, ok := g[d.Path]; !ok {
			bad(d.Path, "part of %s but not in the manifest", what)
		}
	}
}

func slicesConcat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
