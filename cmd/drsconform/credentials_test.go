package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/result"
)

const (
	cliAK = "HPUACLITESTACCESSKEY"
	cliSK = "cli-Secret/Key+for-the-tests-0123456789"
)

// pki is a private CA made in the test, with a server certificate for
// 127.0.0.1 and a client certificate, all written as PEM files.
type pki struct {
	caFile, clientCert, clientKey string
	serverCert, serverKey         string // the server's certificate and key, for serve --tls-cert/--tls-key
	pool                          *x509.CertPool
	server                        tls.Certificate
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "drsconform test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	issue := func(serial int64, usage x509.ExtKeyUsage, ip bool) ([]byte, []byte, tls.Certificate) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "drsconform test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
		if ip {
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		require.NoError(t, err)
		keyDER, err := x509.MarshalECPrivateKey(key)
		require.NoError(t, err)
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		require.NoError(t, err)
		return certPEM, keyPEM, pair
	}
	p := &pki{caFile: filepath.Join(dir, "ca.pem"), clientCert: filepath.Join(dir, "client.pem"), clientKey: filepath.Join(dir, "client.key"),
		pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	require.NoError(t, os.WriteFile(p.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600))
	srvPEM, srvKeyPEM, server := issue(2, x509.ExtKeyUsageServerAuth, true)
	p.server, p.serverCert, p.serverKey = server, filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	require.NoError(t, os.WriteFile(p.serverCert, srvPEM, 0o600))
	require.NoError(t, os.WriteFile(p.serverKey, srvKeyPEM, 0o600))
	certPEM, keyPEM, _ := issue(3, x509.ExtKeyUsageClientAuth, false)
	require.NoError(t, os.WriteFile(p.clientCert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(p.clientKey, keyPEM, 0o600))
	return p
}

// serveTLS serves the reference (verifying cliAK/cliSK) over TLS with the
// private CA's certificate; mutual asks for a client certificate too.
func (p *pki) serveTLS(t *testing.T, mutual bool) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(reference.New(reference.Config{AccessKey: cliAK, SecretKey: cliSK,
		ReleaseDelay: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}).Handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS12}
	if mutual {
		srv.TLS.ClientAuth, srv.TLS.ClientCAs = tls.RequireAndVerifyClientCert, p.pool
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// A target behind TLS with a private CA and AK/SK signatures: trusted with
// --ca-cert, refused without it, played with --insecure (which says so
// everywhere), and with a client certificate where the server asks for one.
func TestRunOverTLSWithAPrivateCA(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	plain, mutual := p.serveTLS(t, false), p.serveTLS(t, true)
	base := []string{"run", "--quiet", "--cases-match", "sec.derived-token.*", "--generate", "0", "--generate-concurrent", "0",
		"--ak", cliAK, "--sk", cliSK}
	type testCase struct {
		name   string
		args   []string
		exit   int
		stdout string
		stderr string
	}
	run := func(t *testing.T, tc testCase) {
		t.Parallel()
		dir := t.TempDir()
		code, out, errOut := runCLI(t, append(append(append([]string{}, base...), "--report-dir", dir), tc.args...)...)
		require.Equal(t, tc.exit, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
		assert.Contains(t, out, tc.stdout)
		assert.Contains(t, errOut, tc.stderr)
		for _, s := range []string{out, errOut} {
			assert.NotContains(t, s, cliSK)
			assert.NotContains(t, s, cliAK)
		}
		if code != result.ExitConformant {
			return
		}
		raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
		require.NoError(t, err)
		assert.NotContains(t, string(raw), cliSK)
		insecure := strings.Contains(strings.Join(tc.args, " "), "--insecure")
		assert.Equal(t, insecure, strings.Contains(string(raw), `"tls_insecure": "true"`), "report.json records --insecure")
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		require.NoError(t, err)
		assert.Equal(t, insecure, strings.Contains(string(md), "not verified (--insecure)"))
	}
	for _, tc := range []testCase{
		{name: "private CA trusted", args: []string{"--target", plain, "--ca-cert", p.caFile}, exit: result.ExitConformant, stdout: "verdict: PASS"},
		{name: "private CA unknown", args: []string{"--target", plain}, exit: result.ExitCannotJudge, stderr: "certificate"},
		{name: "insecure", args: []string{"--target", plain, "--insecure"}, exit: result.ExitConformant,
			stdout: "WARNING: TLS certificates were not verified (--insecure)", stderr: InsecureWarning},
		{name: "mutual TLS", args: []string{"--target", mutual, "--ca-cert", p.caFile, "--client-cert", p.clientCert, "--client-key", p.clientKey},
			exit: result.ExitConformant, stdout: "verdict: PASS"},
		{name: "mutual TLS without a client certificate", args: []string{"--target", mutual, "--ca-cert", p.caFile},
			exit: result.ExitCannotJudge, stderr: "stopped before any case"},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc) })
	}
}

func TestCredentialAndTLSUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--ak", "AK"}, "--ak without a secret key"},
		{[]string{"--sk", "SK-secret-value"}, "--sk without an access key"},
		{[]string{"--ak", "AK", "--sk", "SK-secret-value", "--token", "tok-123456789"}, "give one credential, not both"},
		{[]string{"--ca-cert", missing}, "--ca-cert " + missing},
		{[]string{"--ca-cert", notPEM}, "--ca-cert " + notPEM + ": no PEM certificate"},
		{[]string{"--client-cert", notPEM}, "--client-cert and --client-key go together"},
		{[]string{"--client-cert", notPEM, "--client-key", notPEM}, "--client-cert " + notPEM},
		{[]string{"--ak", "AK", "SK-secret-value"}, "unexpected argument (not shown: it may be a secret key; did you mean --sk?)"},
	} {
		code, _, errOut := runCLI(t, append([]string{"run", "--target", "https://127.0.0.1:1"}, tc.args...)...)
		assert.Equal(t, result.ExitUsage, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%v", tc.args)
		assert.NotContains(t, errOut, "SK-secret-value")
	}
}

// AK/SK from the environment the Huawei Cloud SDK reads; with no --target
// the embedded reference verifies them.
func TestRunTakesTheSDKsEnvironment(t *testing.T) {
	t.Setenv("HUAWEICLOUD_SDK_AK", cliAK)
	t.Setenv("HUAWEICLOUD_SDK_SK", cliSK)
	t.Setenv("DRSCONFORM_TOKEN", "")
	code, out, errOut := runCLI(t, "run", "--quiet", "--cases-match", "sec.*", "--generate", "0", "--generate-concurrent", "0")
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, errOut, "verifies the AK/SK signatures")
	m := regexp.MustCompile(`(\d+) passed, 0 failed, 0 warned, (\d+) skipped \((\d+) filtered out\)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	assert.NotEqual(t, "0", m[1])
	assert.Equal(t, m[2], m[3], "every security case plays: none is skipped for want of a token")
	assert.NotContains(t, out+errOut, cliSK)
	assert.NotContains(t, errOut, "--sk on the command line", "no warning when the secret key comes from the environment")
}

// A case of a signed run is reproduced by drsconform itself, which signs
// afresh: --run plays it against a verifying target, and the script of a
// signed run's report runs reproduce --run instead of curl, which could
// only send a stale, redacted signature.
func TestReproduceSignedRequests(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(reference.New(reference.Config{AccessKey: cliAK, SecretKey: cliSK,
		ReleaseDelay: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}).Handler())
	t.Cleanup(srv.Close)
	const id = "sec.derived-token.delete"

	code, out, errOut := runCLI(t, "reproduce", id, "--run", "--target", srv.URL, "--ak", cliAK, "--sk", cliSK)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "verdict: PASS")
	assert.Contains(t, out, "Authorization: SDK-HMAC-SHA256 Access=[REDACTED], SignedHeaders=", "every request shows it was signed")
	assert.Contains(t, out, "< 403", "the derived signature is refused")
	assert.NotContains(t, out+errOut, cliSK)
	assert.NotContains(t, out+errOut, cliAK)

	code, out, errOut = runCLI(t, "reproduce", id, "--run", "--target", srv.URL, "--ak", cliAK, "--sk", "not-the-secret-key")
	assert.Equal(t, result.ExitCannotJudge, code, "a wrong secret key cannot make the fixtures: stdout:\n%s\nstderr:\n%s", out, errOut)

	dir := t.TempDir()
	code, out, errOut = runCLI(t, "run", "--quiet", "--target", srv.URL, "--ak", cliAK, "--sk", cliSK, "--cases-match", id,
		"--generate", "0", "--generate-concurrent", "0", "--report-dir", dir)
	require.Equal(t, result.ExitConformant, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	code, script, errOut := runCLI(t, "reproduce", id, "--from", filepath.Join(dir, "report.json"))
	require.Equal(t, result.ExitConformant, code, errOut)
	assert.Contains(t, errOut, "curl cannot make")
	assert.NotContains(t, script, "curl -")
	assert.Contains(t, script, "reproduce '"+id+"' --run --target \"${DRSCONFORM_TARGET:-$target_default}\"")
	assert.Contains(t, script, "target_default='"+srv.URL+"'")
	assert.Contains(t, script, "DRSCONFORM_SK")
	assert.NotContains(t, script, cliSK)
	file := filepath.Join(dir, "repro.sh")
	require.NoError(t, os.WriteFile(file, []byte(script), 0o600))
	if sh, err := exec.LookPath("sh"); err == nil {
		outSh, err := exec.Command(sh, "-n", file).CombinedOutput()
		assert.NoError(t, err, "the script parses: %s", outSh)
	}
}
