package callflows

// Request is the body of a Send Callflow request, which places an outbound
// call: its callflow starts with the makeCall that dials the callee.
type Request struct {
	// ClientActionID is echoed by 8x8 on the first VCA of the call, naming
	// the node whose prompt the call played.
	ClientActionID string `json:"clientActionId,omitempty"`
	// ValidUntil, if set, is when 8x8 stops trying to place the call, as
	// YYYY-MM-DDTHH:MM:SS.SSSZ in UTC.
	ValidUntil string   `json:"validUntil,omitempty"`
	Callflow   Callflow `json:"callflow"`
}
