package conformance_test

// The registry of requirement IDs is conformance/requirements.yaml: this test
// reads every file of the repository that can name a requirement (the string
// literals and comments of every Go file, tests included; the case files, the
// contract, the schemas, the docs and the report goldens, as raw text) and
// fails on any REQ-… the catalogue does not define, and on any
// "REQ-…=label" choice the requirement does not allow. It reads the files
// themselves, not what the case loader made of them, so it does not lean on
// the loader's own checks.

import (
	"go/scanner"
	gotoken "go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the repository, seen from this package's directory.
const repoRoot = ".."

// reqPattern matches a requirement ID, or something shaped like one, with an
// optional choice label.
var reqPattern = regexp.MustCompile(`REQ-[A-Za-z0-9]+-[A-Za-z0-9]+(?:=[A-Za-z0-9-]+)?`)

// notInCatalogue are the IDs a test names on purpose because they are not in
// the catalogue, each with why. Only test files may name them; an entry no
// test uses any more, or one the catalogue has since defined, fails.
var notInCatalogue = map[string]string{
	"REQ-NOPE-01": "conformance: Catalogue.Get of an ID that is not there",
	"REQ-AAA-01":  "conformance: SortIDs puts unknown IDs last",
	"REQ-ZZZ-01":  "conformance: SortIDs puts unknown IDs last",
	"REQ-STA-12a": "conformance: a malformed ID in a broken catalogue",
	"REQ-STA-99":  "runner: the loader and the roll-up reject an unknown requirement",
	"REQ-STA-1":   "runner: --requirements with a typo suggests REQ-STA-01; the roll-up errors on it",
	"REQ-X-000":   "report: 500 distinct made-up faults overflow report.md (REQ-X-%03d)",
}

// skipDirs are never read: version control and build or run outputs.
var skipDirs = map[string]bool{".git": true, "bin": true, "reports": true, "node_modules": true}

// textExts are the files other than Go read as raw text.
var textExts = []string{".yaml", ".yml", ".json", ".md", ".golden"}

type mention struct {
	where string // file:line
	text  string // the match: an ID, with its choice label if any
	test  bool   // in a _test.go file
}

func TestEveryRequirementIDInTheRepositoryIsInTheCatalogue(t *testing.T) {
	t.Parallel()
	cat := catalogue(t)
	mentions := scanRepository(t)
	if len(mentions) < 100 {
		t.Fatalf("found only %d mentions of requirement IDs under %s: is the scan reading the repository?", len(mentions), repoRoot)
	}
	used := map[string]bool{}
	for _, m := range mentions {
		id, label, hasLabel := strings.Cut(m.text, "=")
		r, ok := cat.Get(id)
		switch {
		case !ok && m.test && notInCatalogue[id] != "":
			used[id] = true
		case !ok:
			t.Errorf("%s: %s is not in conformance/requirements.yaml", m.where, id)
		case hasLabel && !slices.Contains(r.Choices, label):
			t.Errorf("%s: choice %s: %s allows %v", m.where, m.text, id, r.Choices)
		}
	}
	for id, why := range notInCatalogue {
		if _, ok := cat.Get(id); ok {
			t.Errorf("notInCatalogue lists %s (%s), which the catalogue now defines", id, why)
		} else if !used[id] {
			t.Errorf("notInCatalogue lists %s (%s), which no test names any more: remove it", id, why)
		}
	}
}

// The scan finds what it must: a literal, a comment, a label, and nothing in
// identifiers or in text that only looks alike.
func TestScanGoSource(t *testing.T) {
	t.Parallel()
	src := "package p\n\n// see REQ-STA-01 and REQ-A\nvar x = \"REQ-VAL-05=rejected-400\"\nvar REQ = `a\nREQ-HDR-02`\n"
	var got []string
	for _, m := range scanGo(t, "p.go", []byte(src)) {
		got = append(got, m.where+" "+m.text)
	}
	want := []string{"p.go:3 REQ-STA-01", "p.go:4 REQ-VAL-05=rejected-400", "p.go:6 REQ-HDR-02"}
	if !slices.Equal(got, want) {
		t.Errorf("scanGo:\n got %q\nwant %q", got, want)
	}
}

func scanRepository(t *testing.T) []mention {
	t.Helper()
	var out []mention
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		isGo := strings.HasSuffix(path, ".go")
		if !isGo && !slices.ContainsFunc(textExts, func(ext string) bool { return strings.HasSuffix(path, ext) }) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, path)
		rel = filepath.ToSlash(rel)
		if isGo {
			out = append(out, scanGo(t, rel, data)...)
			return nil
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range reqPattern.FindAllString(line, -1) {
				out = append(out, mention{where: rel + ":" + strconv.Itoa(i+1), text: m})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// scanGo returns the requirement IDs in the string literals and comments of
// a Go file (identifiers and other code cannot name one).
func scanGo(t *testing.T, name string, src []byte) []mention {
	t.Helper()
	fset := gotoken.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, func(pos gotoken.Position, msg string) { t.Errorf("%s: %s", pos, msg) }, scanner.ScanComments)
	test := strings.HasSuffix(name, "_test.go")
	var out []mention
	for {
		pos, tok, lit := s.Scan()
		if tok == gotoken.EOF {
			return out
		}
		if tok != gotoken.STRING && tok != gotoken.COMMENT {
			continue
		}
		text := lit
		if tok == gotoken.STRING {
			if v, err := strconv.Unquote(lit); err == nil {
				text = v
			}
		}
		// Report each match at its own line (raw strings and block
		// comments span lines).
		for _, loc := range reqPattern.FindAllStringIndex(lit, -1) {
			line := fset.Position(pos + gotoken.Pos(loc[0])).Line
			m := lit[loc[0]:loc[1]]
			out = append(out, mention{where: name + ":" + strconv.Itoa(line), text: m, test: test})
		}
		// An escaped literal ("REQ\u002dSTA-01") names an ID only once unquoted.
		if text != lit {
			for _, m := range reqPattern.FindAllString(text, -1) {
				if !strings.Contains(lit, m) {
					out = append(out, mention{where: fset.Position(pos).String(), text: m, test: test})
				}
			}
		}
	}
}
