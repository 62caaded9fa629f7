// Package server is the HTTP side of ivrctl serve: it answers 8x8's VCA
// and VSS webhooks from a compiled flow, and serves the health endpoints
// and the metrics.
//
// Routes returns the handler: chi's router, with a recoverer and the body
// limit in front of every route, and Access (the Authorization header 8x8
// sends, the source addresses allowed) in front of the webhooks. Every log
// line of a request has its ID: a proxy's X-Request-Id, or one the server
// makes. Serving a VCA is a decode, a step through the current
// engine.Flow and a write of bytes compiled at load time. Every VCA gets a
// valid callflow: an unknown clientActionId, missing digits or a panic in
// the handler answer the flow's fallback, never a 5xx and never silence.
// Only requests that are not webhooks at all (not JSON, too large, the
// wrong method), that Access refuses, or that are for another sub-account
// than Options.SubAccountID get a 4xx. A duplicate delivery of an event
// gets the answer the first one got and is counted once. /metrics reports
// webhooks, node visits, fallbacks, session outcomes, latency and reloads.
//
// Nothing a stranger sends makes the server's resources grow with it:
// Serve runs an http.Server with timeouts, a limit on header bytes and on
// open connections (keeping room for 8x8 when strangers hold them), and a
// shutdown that drains keep-alive connections; a refused webhook's
// connection is closed; every value a stranger chose is cut to
// MaxLogValue bytes in the log, and refused requests beyond a few a second
// are counted rather than logged.
//
// The flow served is swapped atomically with SetFlow, so a webhook in
// flight always sees one whole flow. Loading the flow file, watching it and
// reloading it are package reload's; the buffered log writer of ivrctl
// serve is package logwriter's.
package server
