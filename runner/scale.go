package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/drsconform/drsconform/cases"
	"github.com/drsconform/drsconform/result"
)

// shapedID is a fresh job ID for an absent fixture, in the shape its id_kind
// asks for (cases.IDKinds): each starts with AbsentIDPrefix and keeps
// absentID's random part, with the shape's characters around it, so that it
// is new on every run and cannot name a real task.
func shapedID(kind string) string {
	r := freshPart()
	id := r
	switch kind {
	case cases.IDKindLong:
		head := AbsentIDPrefix + r + "-"
		id = r + "-" + strings.Repeat("long-job-id-", cases.LongIDBytes)[:cases.LongIDBytes-len(head)]
	case cases.IDKindCJK:
		id = "迁移任务-" + r + "-数据复制服务"
	case cases.IDKindEmoji:
		id = "🚀-" + r + "-👍🏽-👩‍👩‍👧‍👦"
	case cases.IDKindCombining:
		// decomposed: e + U+0301, n + U+0303, A + U+030A; NFC composes each
		id = "e\u0301-" + r + "-n\u0303-A\u030a"
	case cases.IDKindEscape:
		id = `"quoted" \back\slash/ <tag> & ` + r + "\u2028\tend"
	case cases.IDKindURL:
		id = "a/b?c=d&e#f%20g+h i=" + r
	}
	return mintAbsent(AbsentIDPrefix + id)
}

// batchBody is the body of a generated batch (request.batch): Size items of
// DeleteType, the case's fixture jobs at their positions, a fresh unknown ID
// everywhere else.
func batchBody(b *cases.Batch, ids map[string]string) []byte {
	type item struct {
		DeleteType string `json:"delete_type"`
		JobID      string `json:"job_id"`
	}
	jobs := make([]item, b.Size)
	for i := range jobs {
		id, ok := ids[b.At[i+1]]
		if !ok {
			id = absentID()
		}
		jobs[i] = item{DeleteType: b.DeleteType, JobID: id}
	}
	body, _ := json.Marshal(map[string]any{"jobs": jobs})
	return body
}

// stays checks a post-condition's stays: the condition held, and must keep
// holding on every read-back for post.StaysFor(), at most --settle-timeout
// (a stopped task stays until someone deletes it). The first read that
// breaks it is a finding on req; only that read is kept as evidence.
func (j *judge) stays(ctx context.Context, name string, post cases.Post, req string, holds func(string, bool) bool) error {
	span := min(post.StaysFor(), j.p.cfg.SettleTimeout)
	id, project := j.cr.ids[name], j.cr.projects[name]
	start := time.Now()
	end := start.Add(span)
	for {
		wait := min(250*time.Millisecond, time.Until(end))
		if wait > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w: %v", ErrTransport, ctx.Err())
			case <-time.After(wait):
			}
		}
		var last recorder
		status, exists, err := j.p.state.get(withRecorder(ctx, &last), j.step, project, id)
		if err != nil {
			recorderOf(ctx).add(last.all()...)
			return err
		}
		if !holds(status, exists) {
			recorderOf(ctx).add(last.all()...)
			got := "gone (404)"
			if exists {
				got = "status " + j.q(status)
			}
			j.find(req, result.LayerThen, fmt.Sprintf("%s (%s): %s, and still so %s later (stays %s, at most --settle-timeout %s)",
				name, j.q(id), post.String(), span, post.Stays, j.p.cfg.SettleTimeout),
				fmt.Sprintf("%s after %s", got, time.Since(start).Round(10*time.Millisecond)), "")
			return nil
		}
		if !time.Now().Before(end) {
			recorderOf(ctx).add(last.all()...)
			return nil
		}
	}
}
