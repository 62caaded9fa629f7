// Package server serves a compiled flow to 8x8 over HTTP: the VCA and VSS
// webhooks and the health endpoints of ivrctl serve.
//
// Serving a VCA is a lenient decode, a step through the current
// engine.Flow and a write of bytes compiled at load time. The current flow
// is swapped atomically, so a webhook in flight always sees one whole flow.
// Every VCA gets a valid callflow: an unknown clientActionId, missing digits
// or a panic in a handler answer the flow's fallback, never a 5xx and never
// silence. Only requests that are not webhooks at all (not JSON, too large,
// the wrong method) get a 4xx.
package server
