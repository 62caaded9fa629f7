// Package server serves a compiled flow to 8x8 over HTTP: the VCA and VSS
// webhooks, the health endpoints and the metrics of ivrctl serve.
//
// Serving a VCA is a decode, a step through the current engine.Flow and a
// write of bytes compiled at load time. The current flow is swapped
// atomically (SetFlow, Reload, Watch), so a webhook in flight always sees
// one whole flow, and a file with errors never replaces a working one.
// Every VCA gets a valid callflow: an unknown clientActionId, missing digits
// or a panic in a handler answer the flow's fallback, never a 5xx and never
// silence. Only requests that are not webhooks at all (not JSON, too large,
// the wrong method), that the access guard refuses, or that are for another
// sub-account than Options.SubAccountID get a 4xx.
//
// Around that: Access checks the Authorization header 8x8 sends and the
// source address; a duplicate delivery of an event gets the answer the
// first one got and is counted once; /metrics reports webhooks, node
// visits, fallbacks, session outcomes, latency and reloads; LogWriter
// keeps webhook log lines from costing a system call each; Serve runs an
// http.Server with timeouts and a graceful shutdown.
package server
