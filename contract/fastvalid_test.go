package contract

import (
	"testing"

	"github.com/drsconform/drsconform/schemas"
)

// surelyValid never passes what jsonschema/v5 refuses, and passes the
// conforming bodies of every schema of the API (else the fast path is dead:
// a keyword it does not know has come into schemas/).
func TestSurelyValidAgreesWithJSONSchema(t *testing.T) {
	t.Parallel()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	type body struct {
		schema, json string
		valid        bool // a conforming body: the fast path must take it
	}
	bodies := []body{
		{schemas.BatchDeleteJobReq, `{"jobs":[{"delete_type":"terminate","job_id":"a"}]}`, true},
		{schemas.BatchDeleteJobReq, `{"jobs":[{"delete_type":"force_terminate","job_id":"é"},{"delete_type":"delete","job_id":"b"}]}`, true},
		{schemas.BatchDeleteJobResp, `{"count":1,"results":[{"id":"a","status":"success"}]}`, true},
		{schemas.BatchDeleteJobResp, `{"count":1.0,"results":[{"id":"a","status":"failed","error_code":"DRS.M01504","error_msg":"x"}]}`, true},
		{schemas.BatchDeleteJobResp, `{"count":0,"results":[]}`, true},
		{schemas.ErrorResponse, `{"error_code":"DRS.M00202","error_msg":"bad"}`, true},
	}
	for _, s := range []string{schemas.BatchDeleteJobReq, schemas.BatchDeleteJobResp, schemas.ErrorResponse, schemas.DeleteJobReq, schemas.DeleteJobResp} {
		for _, b := range []string{`{}`, `[]`, `null`, `1`, `"s"`, `true`, `{"jobs":[]}`, `{"jobs":{}}`, `{"jobs":[1]}`, `{"jobs":[{}]}`,
			`{"jobs":[{"delete_type":"Delete","job_id":"a"}]}`, `{"jobs":[{"delete_type":"delete","job_id":""}]}`,
			`{"jobs":[{"delete_type":"delete","job_id":1}]}`, `{"jobs":[{"delete_type":"delete"}]}`,
			`{"jobs":[{"delete_type":"delete","job_id":"a","x":1}]}`, `{"jobs":[{"delete_type":"delete","job_id":"a"}],"x":1}`,
			`{"count":-1,"results":[]}`, `{"count":1.5,"results":[]}`, `{"count":"1","results":[]}`, `{"count":1}`,
			`{"count":1,"results":[{"id":"a","status":"ok"}]}`, `{"count":1,"results":[{"id":"a"}]}`,
			`{"count":1,"results":[{"id":1,"status":"success"}]}`, `{"count":1,"results":[{"id":"a","status":"success","error_code":7}]}`,
			`{"count":1,"results":[{"id":"a","status":"success","extra":true}]}`, `{"count":1,"results":[null]}`,
			`{"error_code":"X"}`, `{"error_code":1,"error_msg":"m"}`, `{"error_code":"X","error_msg":"m","more":[1]}`,
			`{"delete_type":"delete","job_id":"a"}`, `{"delete_type":null,"job_id":"a"}`, `{"id":"a","status":"failed"}`,
			`{"id":"a","status":"SUCCESS"}`} {
			bodies = append(bodies, body{schema: s, json: b})
		}
	}
	for _, b := range bodies {
		doc, err := decodeJSON([]byte(b.json))
		if err != nil {
			t.Fatal(err)
		}
		sch := c.schemas[b.schema]
		fast := surelyValid(sch, doc)
		slow := sch.Validate(doc) == nil
		if fast && !slow {
			t.Errorf("%s %s: surelyValid passes what jsonschema/v5 refuses", b.schema, b.json)
		}
		if b.valid && !fast {
			t.Errorf("%s %s: conforming, but the fast path did not take it", b.schema, b.json)
		}
	}
}

// FuzzSurelyValid: for any JSON document and every schema of the API, the
// fast path never passes what jsonschema/v5 refuses. Run it longer with
// go test -run '^$' -fuzz FuzzSurelyValid -fuzztime 60s ./contract.
func FuzzSurelyValid(f *testing.F) {
	for _, seed := range []string{
		`{"jobs":[{"delete_type":"terminate","job_id":"a"}]}`,
		`{"count":1,"results":[{"id":"a","status":"failed","error_code":"DRS.M01504","error_msg":"x"}]}`,
		`{"count":0,"results":[]}`, `{"error_code":"DRS.M00202","error_msg":"bad"}`,
		`{"delete_type":"delete","job_id":"a"}`, `{"id":"a","status":"success"}`, `{"count":1e400,"results":[]}`,
	} {
		f.Add(seed)
	}
	c, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	names := []string{schemas.BatchDeleteJobReq, schemas.BatchDeleteJobResp, schemas.ErrorResponse, schemas.DeleteJobReq, schemas.DeleteJobResp}
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := decodeJSON([]byte(text))
		if err != nil {
			return
		}
		for _, name := range names {
			sch := c.schemas[name]
			if surelyValid(sch, doc) && sch.Validate(doc) != nil {
				t.Errorf("%s %s: surelyValid passes what jsonschema/v5 refuses", name, text)
			}
		}
	})
}
