package proxy

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxCodings bounds the content codings undone for one body: each step is
// capped in size, but a long list of them would multiply the work.
const maxCodings = 4

// decodeContent undoes the content codings a Content-Encoding lists (RFC
// 9110, 8.4: in the order they were applied, so the last is undone first)
// so that the body can be checked; the answer itself passes on unchanged.
// gzip (x-gzip) and deflate are undone; identity is nothing to undo.
//
// Every step reads at most limit bytes, as runner/transport.go caps the
// (transparently decoded) answers the runner reads, so that a
// decompression bomb costs limit bytes, not memory to exhaustion.
//
// It returns the decoded body; or, in cannot, why the body cannot be
// checked (a coding the proxy does not know, more than maxCodings codings,
// a decoded body beyond limit), which is no fault of the answer; or the
// error of a body that does not decode by its own coding, which is one.
func decodeContent(body []byte, contentEncoding []string, limit int64) (decoded []byte, cannot string, err error) {
	var codings []string
	for _, field := range contentEncoding {
		for _, c := range strings.Split(field, ",") {
			if c = strings.ToLower(strings.TrimSpace(c)); c != "" && c != "identity" {
				codings = append(codings, c)
			}
		}
	}
	if len(codings) == 0 || len(body) == 0 { // nothing to undo (an empty body has no coding to undo)
		return body, "", nil
	}
	if len(codings) > maxCodings {
		return nil, fmt.Sprintf("%d content codings (%s): the proxy undoes at most %d",
			len(codings), strings.Join(codings, ", "), maxCodings), nil
	}
	decoded = body
	for i := len(codings) - 1; i >= 0; i-- {
		var rd io.Reader
		switch codings[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(bytes.NewReader(decoded))
			if err != nil {
				return nil, "", fmt.Errorf("content coding %q: %w", codings[i], err)
			}
			rd = zr
		case "deflate":
			// deflate is the zlib format (RFC 9110, 8.4.1.2); some servers send
			// the bare deflate stream, which clients accept too.
			zr, err := zlib.NewReader(bytes.NewReader(decoded))
			switch {
			case errors.Is(err, zlib.ErrHeader):
				rd = flate.NewReader(bytes.NewReader(decoded))
			case err != nil:
				return nil, "", fmt.Errorf("content coding %q: %w", codings[i], err)
			default:
				rd = zr
			}
		default:
			return nil, fmt.Sprintf("content coding %q: the proxy cannot decode it", codings[i]), nil
		}
		out, err := io.ReadAll(io.LimitReader(rd, limit+1))
		if int64(len(out)) > limit {
			return nil, fmt.Sprintf("decoded (%s), the answer exceeds %d bytes (--max-body): too large to check",
				codings[i], limit), nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("content coding %q: %w", codings[i], err)
		}
		decoded = out
	}
	return decoded, "", nil
}
