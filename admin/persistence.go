package admin

import "net/http"

// PersistenceSource is implemented by a Source that can report each
// instance's persistence state (append-only file, snapshot). It is a
// separate interface so sources without persistence need not change.
type PersistenceSource interface {
	// Persistence returns a JSON-encodable value: one entry per instance.
	Persistence() any
}

// getPersistence is GET /v1/persistence: per-instance persistence state.
func (s *Server) getPersistence(w http.ResponseWriter, _ *http.Request) {
	ps, ok := s.src.(PersistenceSource)
	if !ok {
		writeError(w, http.StatusNotFound, "persistence state not available")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Instances any `json:"instances"`
	}{ps.Persistence()})
}
