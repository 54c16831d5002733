package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
)

// filled is a skeleton with every TODO replaced by a fresh task ID.
func filled(skeleton string) string {
	n := 0
	lines := strings.Split(skeleton, "\n")
	for i, l := range lines {
		if strings.Contains(l, "id: TODO") {
			n++
			lines[i] = strings.Replace(l, "TODO", "field-task-"+strconv.Itoa(n)+"-jb01", 1)
		}
	}
	out := strings.Join(lines, "\n")
	out = regexp.MustCompile(`(?m)^project_id: TODO.*\n`).ReplaceAllString(out, "")
	return regexp.MustCompile(`(?m)^other_project_id: TODO.*\n`).ReplaceAllString(out, "")
}

func TestFixturesPlan(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "fixtures", "plan", "--tags", "parent")
	require.Equal(t, result.ExitConformant, code, errOut)
	assert.Regexp(t, `(?m)^2\s+CREATE_FAILED\s+main\s+parent\s+parent\.outside-dual-active\.delete, partial\.parent-outside-dual-active$`, out)

	code, skel, _ := runCLI(t, "fixtures", "plan", "--tags", "parent", "--skeleton")
	require.Equal(t, result.ExitConformant, code)
	assert.Contains(t, skel, "  - id: TODO  # partial.parent-outside-dual-active\n    status: CREATE_FAILED\n    parent: true\n")
	// The skeleton as written does not load: each TODO is to be filled in.
	_, err := cases.ParseFixturesFile("skel.yaml", []byte(skel))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fill in the ID of an existing task")

	// Filled in but one task short: the plan names what is missing and the
	// case a run would skip.
	full := filled(skel)
	_, err = cases.ParseFixturesFile("full.yaml", []byte(full))
	require.NoError(t, err, full)
	dir := t.TempDir()
	path := filepath.Join(dir, "tasks.yaml")
	require.NoError(t, os.WriteFile(path, []byte(full), 0o600))
	_, out, _ = runCLI(t, "fixtures", "plan", "--tags", "parent", "--fixtures", path)
	assert.Contains(t, out, "covers every need")

	short := strings.Replace(full, "    status: CREATE_FAILED\n    parent: true\n", "    status: CREATE_FAILED\n", 1)
	require.NoError(t, os.WriteFile(path, []byte(short), 0o600))
	_, out, _ = runCLI(t, "fixtures", "plan", "--tags", "parent", "--fixtures", path)
	assert.Contains(t, out, "lacks:\n  1 × CREATE_FAILED (main project, parent)")
	assert.Contains(t, out, "partial.parent-outside-dual-active: needs 1 task in CREATE_FAILED (main project, parent), the fixtures file has 1, given to an earlier case")
	_, out, _ = runCLI(t, "fixtures", "plan", "--tags", "parent", "--fixtures", path, "--skeleton")
	assert.Equal(t, 1, strings.Count(out, "id: TODO"), out)

	for _, args := range [][]string{{"fixtures"}, {"fixtures", "plot"}, {"fixtures", "plan", "--fixtures", filepath.Join(dir, "none.yaml")}} {
		code, _, errOut := runCLI(t, args...)
		assert.Equal(t, result.ExitUsage, code, "%v: %s", args, errOut)
	}
}

func TestRunFixturesUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "tasks.yaml")
	require.NoError(t, os.WriteFile(path, []byte("project_id: p1\ntasks:\n  - id: a\n    status: CREATING\n"), 0o600))
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("tasks:\n  - id: a\n    status: CREATNG\n"), 0o600))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--fixtures", path}, "--fixtures names tasks on a target: give --target"},
		{[]string{"--target", "http://127.0.0.1:1", "--fixtures", path, "--project-id", "p2"}, "--project-id p2 conflicts with project_id: p1"},
		{[]string{"--target", "http://127.0.0.1:1", "--fixtures", path, "--readback", "harness"}, "use --readback api"},
		{[]string{"--target", "http://127.0.0.1:1", "--readback", "fixtures"}, `--readback "fixtures": want harness or api`},
		{[]string{"--target", "http://127.0.0.1:1", "--fixtures", path, "--fixtures-url", "http://127.0.0.1:2"}, "--fixtures-url names the fixture harness"},
		{[]string{"--target", "http://127.0.0.1:1", "--fixtures", bad}, "bad.yaml:3:13: /tasks/0/status: unknown task status CREATNG"},
	} {
		code, _, errOut := runCLI(t, append([]string{"run"}, tc.args...)...)
		assert.Equal(t, result.ExitUsage, code, "%v", tc.args)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
	}
}

// The same file drives both sides: serve --no-harness --seed FILE, then run
// --fixtures FILE: PASS, no request to the harness, and the report lists
// the tasks the run changed.
func TestRunFixturesAgainstSeededServe(t *testing.T) {
	t.Parallel()
	_, skel, _ := runCLI(t, "fixtures", "plan", "--tags", "parent", "--skeleton")
	path := filepath.Join(t.TempDir(), "tasks.yaml")
	require.NoError(t, os.WriteFile(path, []byte(filled(skel)), 0o600))
	base := startServe(t, "--no-harness", "--seed", path, "--release-delay", "0")

	resp, err := http.Post(base+"/_conformance/v1/jobs", "application/json", strings.NewReader(`{"project_id":"p","status":"CREATING"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "--no-harness serves no fixture protocol")

	dir := filepath.Join(t.TempDir(), "out")
	code, out, errOut := runCLI(t, "run", "--target", base, "--token", "field-token-123456", "--fixtures", path, "--tags", "parent",
		"--report-dir", dir, "--settle-timeout", "3s")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "Tasks this run changed: recreate before the next run")
	assert.Contains(t, out, "not played: 50 generated batches")
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var rep result.Report
	require.NoError(t, json.Unmarshal(raw, &rep))
	assert.NotEmpty(t, rep.FieldTasks)
	assert.Equal(t, result.Pass, rep.Verdict)
}

// serve --tls-cert/--tls-key serves HTTPS.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(cert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(key, keyPEM, 0o600))
	base := startServe(t, "--tls-cert", cert, "--tls-key", key)
	require.True(t, strings.HasPrefix(base, "https://"), base)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(certPEM))
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest(http.MethodDelete, base+"/v3/p/jobs/batch-jobs", strings.NewReader(`{"jobs":[{"delete_type":"delete","job_id":"x"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", "any")
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)

	var stdout, stderr syncBuffer
	for _, args := range [][]string{{"--tls-cert", cert}, {"--tls-cert", cert, "--tls-key", cert}} {
		assert.Equal(t, result.ExitUsage, runServe(context.Background(), args, &stdout, &stderr), "%v", args)
	}
	assert.Contains(t, stderr.String(), "--tls-cert and --tls-key go together")
}

func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
}
