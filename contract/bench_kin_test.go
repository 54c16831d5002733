package contract_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// BenchmarkKinValidateResponse is kin-openapi's own response validation
// (openapi3filter.ValidateResponse, with its JSON Schema of the OpenAPI
// document) on the bodies of BenchmarkValidateResponse: the yardstick of
// ours, which must be no slower (README.md, "The proxy as a CI gate").
func BenchmarkKinValidateResponse(b *testing.B) {
	c := defaultContract(b)
	r := newRequest(http.MethodDelete, examplePath, validHeaders())
	router, err := gorillamux.NewRouter(c.Document())
	if err != nil {
		b.Fatal(err)
	}
	route, params, err := router.FindRoute(r)
	if err != nil {
		b.Fatal(err)
	}
	h := jsonHeader()
	opts := &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	for _, n := range []int{1, 100, 10000} {
		body := batchResponse(n)
		b.Run(fmt.Sprintf("results=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				in := &openapi3filter.ResponseValidationInput{
					RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts},
					Status:                 http.StatusAccepted,
					Header:                 h,
					Body:                   io.NopCloser(bytes.NewReader(body)),
					Options:                opts,
				}
				if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
