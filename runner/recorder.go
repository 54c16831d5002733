package runner

import "sync"

// recorder collects the exchanges of one case, as evidence.
type recorder struct {
	mu   sync.Mutex
	list []Exchange
}

func (r *recorder) add(ex ...Exchange) {
	r.mu.Lock()
	r.list = append(r.list, ex...)
	r.mu.Unlock()
}

func (r *recorder) all() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.list...)
}
