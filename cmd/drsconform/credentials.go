package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"unicode/utf8"

	"github.com/drsconform/drsconform/internal/credential"
	"github.com/drsconform/drsconform/reference"
	"github.com/drsconform/drsconform/runner"
)

// The environment variables AK/SK are read from, in order: drsconform's
// own, then the ones the Huawei Cloud SDK's environment credential provider
// reads (core/auth/provider/env_provider.go of the SDK).
var (
	akEnv = []string{"DRSCONFORM_AK", "HUAWEICLOUD_SDK_AK"}
	skEnv = []string{"DRSCONFORM_SK", "HUAWEICLOUD_SDK_SK"}
)

// InsecureWarning is printed on every run with --insecure.
const InsecureWarning = "warning: --insecure: the target's TLS certificate is NOT verified; anyone on the path can read and change every request (the credentials too). The reports record it."

// credFlags are the credential and TLS flags of run and reproduce
// (README.md, "Credentials and TLS").
type credFlags struct {
	ak, sk                        string
	caCert, clientCert, clientKey string
	insecure                      bool
	akFrom, skFrom                string // where each came from, for messages: a flag or an environment variable
	resolved                      bool
}

func (c *credFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.ak, "ak", "", "access key: sign every request with AK/SK as the Huawei Cloud SDK does (env DRSCONFORM_AK or HUAWEICLOUD_SDK_AK); with --sk, instead of --token")
	fs.StringVar(&c.sk, "sk", "", "secret key for --ak (env DRSCONFORM_SK or HUAWEICLOUD_SDK_SK; prefer the environment: a flag is visible to ps); never written anywhere")
	fs.StringVar(&c.caCert, "ca-cert", "", "PEM file of CA certificates to trust for the target's TLS certificate, in addition to the system's")
	fs.StringVar(&c.clientCert, "client-cert", "", "PEM file of a client certificate for mutual TLS (with --client-key)")
	fs.StringVar(&c.clientKey, "client-key", "", "PEM file of the private key of --client-cert")
	fs.BoolVar(&c.insecure, "insecure", false, "do not verify the target's TLS certificate (testing only: printed on every run and recorded in every report)")
}

// resolve fills AK and SK from the environment where no flag gave them and
// checks that they go together. A token and an access key: an error when
// both come from flags or both from the environment; otherwise the one
// given by a flag wins (an SDK user's HUAWEICLOUD_SDK_AK does not spoil a
// run with --token). It may clear *token.
func (c *credFlags) resolve(set map[string]bool, token *string, stderr io.Writer) error {
	if c.resolved {
		return nil
	}
	c.resolved = true
	c.akFrom, c.skFrom = "--ak", "--sk"
	if !set["ak"] {
		c.ak, c.akFrom = firstEnv(akEnv)
	}
	if !set["sk"] {
		c.sk, c.skFrom = firstEnv(skEnv)
	}
	if c.ak != "" && *token != "" && set["token"] != set["ak"] {
		if set["token"] {
			fmt.Fprintf(stderr, "note: --token given: ignoring the access key of %s\n", c.akFrom)
			c.ak, c.sk = "", ""
		} else {
			fmt.Fprintln(stderr, "note: --ak given: ignoring the token of DRSCONFORM_TOKEN")
			*token = ""
		}
	}
	switch {
	case c.ak != "" && c.sk == "":
		return fmt.Errorf("%s without a secret key: give --sk or DRSCONFORM_SK too", c.akFrom)
	case c.sk != "" && c.ak == "":
		return fmt.Errorf("%s without an access key: give --ak or DRSCONFORM_AK too", c.skFrom)
	case c.ak != "" && *token != "":
		return fmt.Errorf("a token (--token or DRSCONFORM_TOKEN) and an access key (%s): give one credential, not both", c.akFrom)
	case (c.clientCert == "") != (c.clientKey == ""):
		return errors.New("--client-cert and --client-key go together")
	}
	return nil
}

func firstEnv(names []string) (value, from string) {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v, n
		}
	}
	return "", ""
}

// tlsConfig is the TLS configuration the flags ask for, nil for Go's
// defaults. --ca-cert adds to the system's roots (it does not replace
// them); a file that cannot be read or holds no certificate is an error
// that names it.
func (c *credFlags) tlsConfig() (*tls.Config, map[string]string, error) {
	if c.caCert == "" && c.clientCert == "" && !c.insecure {
		return nil, nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.insecure} //nolint:gosec // --insecure asks for it, and is reported
	files := map[string]string{}
	if c.caCert != "" {
		pem, err := os.ReadFile(c.caCert)
		if err != nil {
			return nil, nil, fmt.Errorf("--ca-cert %s: %v", c.caCert, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("--ca-cert %s: no PEM certificate in the file", c.caCert)
		}
		conf.RootCAs = pool
		files["ca_cert"] = c.caCert
	}
	if c.clientCert != "" {
		pair, err := tls.LoadX509KeyPair(c.clientCert, c.clientKey)
		if err != nil {
			return nil, nil, fmt.Errorf("--client-cert %s / --client-key %s: %v", c.clientCert, c.clientKey, err)
		}
		conf.Certificates = []tls.Certificate{pair}
		files["client_cert"] = c.clientCert
	}
	return conf, files, nil
}

// apply puts the credentials and TLS settings into cfg, warning on stderr
// about what deserves it. An error is a usage error.
func (c *credFlags) apply(cfg *runner.Config, set map[string]bool, stderr io.Writer) error {
	if err := c.resolve(set, &cfg.Token, stderr); err != nil {
		return err
	}
	conf, files, err := c.tlsConfig()
	if err != nil {
		return err
	}
	cfg.AccessKey, cfg.SecretKey, cfg.TLS, cfg.TLSFiles = c.ak, c.sk, conf, files
	if c.insecure {
		fmt.Fprintln(stderr, InsecureWarning)
	}
	if set["sk"] {
		fmt.Fprintln(stderr, "warning: --sk on the command line is visible to other users (ps, shell history); prefer DRSCONFORM_SK in the environment")
	}
	if c.sk != "" && credential.TooShort(c.sk) {
		fmt.Fprintf(stderr, "warning: the secret key is %d characters long; too short to redact safely inside text (it is never sent, only used to sign)\n",
			utf8.RuneCountInString(c.sk))
	}
	return nil
}

// startSigningReference is startEmbeddedReference for a run with AK/SK:
// the embedded reference verifies signatures made with ak and sk, and
// accepts no token.
func startSigningReference(ctx context.Context, stderr io.Writer, ak, sk string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := newHTTPServer(reference.New(reference.Config{AccessKey: ak, SecretKey: sk, Logger: slog.New(slog.DiscardHandler)}).Handler(),
		serveWriteTimeout, slog.DiscardHandler)
	end := serveInBackground(ctx, "run: embedded reference", srv, ln, stderr)
	return "http://" + ln.Addr().String(), func() { end() }, nil
}

// strayArgument quotes an argument no flag took, unless it may be a secret
// key whose --sk was forgotten (--ak AK SK): that one is not shown.
func strayArgument(set map[string]bool, arg string) string {
	if set["ak"] && !set["sk"] {
		return "(not shown: it may be a secret key; did you mean --sk?)"
	}
	return fmt.Sprintf("%q", arg)
}
