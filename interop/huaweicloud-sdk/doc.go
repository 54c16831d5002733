// Package interop drives the real Huawei Cloud Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3, services/drs/v3) against
// the reference implementation, to show that a real client can call it:
// AK/SK signing, the DELETE body, per-item results, X-Language and the
// SDK's error for a 400. It is a module of its own so that the main module
// does not depend on the SDK. Run it with `make interop`.
package interop
