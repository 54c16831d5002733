// Package interop drives the real Huawei Cloud Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3, services/drs/v3) against
// the reference implementation and against the server that makes every
// other allowed choice (reference.ChoicesOther, `drsconform serve --choices
// other`), to show that a real client can call both: AK/SK signing, the
// DELETE body, per-item results, X-Language and the SDK's error for a 4xx.
// choices_test.go records, per allowed behaviour, what the SDK hands its
// caller (README.md, "A server for every allowed behaviour"). It is a
// module of its own so that the main module does not depend on the SDK.
// Run it with `make interop`.
package interop
