package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/drsconform/drsconform/result"
)

// shellLines collects the shell commands of a CI file: GitHub's `run:` blocks
// line by line, GitLab's `script:` and `after_script:` lists item by item.
func shellLines(node any) []string {
	var lines []string
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if s, ok := v.(string); ok && k == "run" {
				lines = append(lines, strings.Split(s, "\n")...)
				continue
			}
			if list, ok := v.([]any); ok && (k == "script" || k == "after_script") {
				for _, item := range list {
					if s, ok := item.(string); ok {
						lines = append(lines, s)
					}
				}
				continue
			}
			lines = append(lines, shellLines(v)...)
		}
	case []any:
		for _, v := range n {
			lines = append(lines, shellLines(v)...)
		}
	}
	return lines
}

// lookup follows keys through nested maps and lists (a list takes an index).
func lookup(node any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := node.(map[string]any)
			node = m[k]
		case int:
			l, _ := node.([]any)
			if k >= len(l) {
				return nil
			}
			node = l[k]
		}
	}
	return node
}

// The CI examples (README.md, "In CI"; docs/ci) parse as YAML, are shown in
// README.md as they are in docs/ci, install this command, and run it with
// flags that `drsconform run` accepts; the reports they publish are the ones
// that --report-dir writes, and the exit codes they name are the documented ones.
func TestCIExamples(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	for _, name := range []string{"github-actions.yml", "gitlab-ci.yml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("..", "..", "docs", "ci", name))
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, yaml.Unmarshal(b, &doc), "docs/ci/%s", name)
			assert.True(t, strings.Contains(string(readme), "```yaml\n"+string(b)+"```\n"), "README.md shows docs/ci/%s as it is, in a yaml block", name)

			var installs int
			var reportDir string
			lines := shellLines(doc)
			for _, line := range lines {
				line, _, _ = strings.Cut(strings.TrimSpace(line), " || ")
				f := strings.Fields(line)
				switch {
				case len(f) >= 2 && f[0] == "go" && f[1] == "install":
					assert.Equal(t, "go install "+mainPackage+"@latest", line)
					installs++
				case len(f) >= 1 && f[0] == "drsconform":
					// --help after the flags: they are parsed, and an unknown one is refused, but nothing runs.
					code, out, errOut := runCLI(t, append(f[1:], "--help")...)
					assert.Equal(t, result.ExitConformant, code, "%s\nstdout:\n%s\nstderr:\n%s", line, out, errOut)
					for i, a := range f {
						if a == "--report-dir" && i+1 < len(f) {
							reportDir = f[i+1]
						}
					}
				}
			}
			assert.Equal(t, 1, installs, "one go install in docs/ci/%s", name)
			require.NotEmpty(t, reportDir, "docs/ci/%s runs drsconform run --report-dir", name)

			switch name {
			case "github-actions.yml":
				script := strings.Join(lines, "\n")
				assert.Contains(t, script, "cat "+reportDir+"/report.md >> \"$GITHUB_STEP_SUMMARY\"")
				assert.Contains(t, script, fmt.Sprintf("%d) echo \"::error title=drsconform::non-conformant", result.ExitNonConformant))
				assert.Contains(t, script, fmt.Sprintf("%d) echo \"::error title=drsconform::usage", result.ExitUsage))
				assert.Contains(t, script, "exit $code")
				upload := lookup(doc, "jobs", "conformance", "steps", 3)
				assert.Equal(t, "always()", lookup(upload, "if"))
				assert.Equal(t, reportDir+"/", lookup(upload, "with", "path"))
			case "gitlab-ci.yml":
				job := lookup(doc, "drs-conformance")
				assert.Equal(t, reportDir+"/junit.xml", lookup(job, "artifacts", "reports", "junit"))
				assert.Equal(t, reportDir+"/", lookup(job, "artifacts", "paths", 0))
				assert.Equal(t, "always", lookup(job, "artifacts", "when"))
			}
		})
	}
}
