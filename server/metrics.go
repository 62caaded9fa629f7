package server

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/engine"
	"github.com/ivrctl/ivrctl/engine/callstate"
)

// fallbackLabel names the built-in fallback node, whose ID is "", in the
// node label of metrics.
const fallbackLabel = "(fallback)"

// Outcomes of a webhook that the engine does not name, as logs and the
// outcome label of ivrctl_webhooks_total say them.
const (
	outcomeIgnored      = "ignored"        // an event type that asks for nothing
	outcomeAccepted     = "accepted"       // a VSS taken in
	outcomeBadRequest   = "bad_request"    // not JSON, or not a JSON object
	outcomeTooLarge     = "too_large"      // over the body limit
	outcomeUnauthorized = "unauthorized"   // a missing or wrong Authorization header
	outcomeForbidden    = "forbidden"      // a source address or sub-account not allowed
	outcomeInternal     = "internal_error" // a panic, answered with the fallback
)

// metrics are the Prometheus metrics of one Server, in a registry of its
// own so that several servers can live in one process (and in one test).
//
// Every label takes a bounded set of values: node IDs of the flows loaded,
// event types and session statuses 8x8 documents (anything else is
// "other"), and the outcomes above and in engine. Digits never appear in a
// label, so a sensitive menu's keys cannot leak through metrics.
type metrics struct {
	reg        *prometheus.Registry
	webhooks   *prometheus.CounterVec
	duplicates *prometheus.CounterVec
	visits     *prometheus.CounterVec
	invalid    *prometheus.CounterVec
	fallbacks  *prometheus.CounterVec
	requests   *prometheus.CounterVec
	requestDur *prometheus.HistogramVec
	sessions   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	reloads    *prometheus.CounterVec
	flowInfo   *prometheus.GaugeVec
	switches   *prometheus.GaugeVec

	// The series of a usual VCA, looked up once rather than by their
	// label values on every webhook: latency, the outcomes of a
	// CALL_ACTION, and the counters of the current flow's nodes.
	vcaLatency prometheus.Observer
	callAction map[string]prometheus.Counter // by outcome; read-only
	nodes      atomic.Pointer[nodeCounters]
}

// nodeCounters are the per-node series of one flow's nodes.
type nodeCounters struct {
	visits, invalid map[*engine.Node]prometheus.Counter
}

// reloadResults are the values of the result label of
// ivrctl_reloads_total, as package reload names them.
var reloadResults = []string{"accepted", "rejected", "unchanged"}

// latencyBuckets spans what serving a webhook takes, from a cached answer
// (tens of microseconds) to a starved process (a second): 8x8 waits on it
// while the caller listens.
var latencyBuckets = []float64{
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_webhooks_total",
			Help: "Webhooks answered, by webhook (vca, vss), event type and outcome. A duplicate delivery is not counted again.",
		}, []string{"webhook", "event_type", "outcome"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_webhook_duplicates_total",
			Help: "Webhooks delivered again with an eventId already answered, and answered as before.",
		}, []string{"webhook"}),
		visits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_node_visits_total",
			Help: "Times each node was played to a caller.",
		}, []string{"node"}),
		invalid: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_invalid_keys_total",
			Help: "Keys pressed at a menu that has no such key, by menu.",
		}, []string{"node"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_fallbacks_total",
			Help: "Callers answered with the fallback, by reason: unknown_node (a clientActionId the flow does not have, as after a reload), leaf (a webhook after the call should have ended), internal_error, and state_REASON for a call state that could not be opened (state_truncated, state_corrupt, state_forged, state_unknown_key, state_version, state_too_large).",
		}, []string{"reason"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_requests_total",
			Help: "Requests of request nodes to the business's API, by node and result (ok, client_error, server_error, timeout, error).",
		}, []string{"node", "result"}),
		requestDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ivrctl_request_duration_seconds",
			Help:    "How long request nodes' requests took, by node.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2, 4},
		}, []string{"node"}),
		sessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_sessions_total",
			Help: "Call sessions summarised by 8x8 (VSS), by sessionStatus.",
		}, []string{"status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ivrctl_webhook_duration_seconds",
			Help:    "Time to answer a webhook, from the handler's start to the answer written.",
			Buckets: latencyBuckets,
		}, []string{"webhook"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ivrctl_reloads_total",
			Help: "Reloads of the flow file, by result: accepted (swapped in), rejected (errors; the running flow stays), unchanged (same content).",
		}, []string{"result"}),
		flowInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ivrctl_flow_info",
			Help: "The flow being served: 1 for its name and content version.",
		}, []string{"flow", "version"}),
		switches: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ivrctl_switch",
			Help: "The position of each switch the flow declares: 1 on, 0 off.",
		}, []string{"name"}),
	}
	m.reg.MustRegister(m.requests, m.requestDur)
	m.reg.MustRegister(m.webhooks, m.duplicates, m.visits, m.invalid, m.fallbacks, m.sessions,
		m.latency, m.reloads, m.flowInfo, m.switches,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Show every result and webhook from the start, at zero, so that
	// rate() and alerts work before the first one happens.
	for _, r := range reloadResults {
		m.reloads.WithLabelValues(r)
	}
	for _, w := range []string{"vca", "vss"} {
		m.duplicates.WithLabelValues(w)
		m.latency.WithLabelValues(w)
	}
	m.vcaLatency = m.latency.WithLabelValues("vca")
	m.callAction = map[string]prometheus.Counter{}
	for _, o := range engine.Outcomes {
		m.callAction[string(o)] = m.webhooks.WithLabelValues("vca", callflows.EventCallAction, string(o))
	}
	return m
}

// setFlow makes flow the one ivrctl_flow_info reports and the one vca
// counts the nodes of without a lookup by label: it builds the cache of the
// visits series of flow's nodes, its fallback too, and of the invalid keys
// series of its menus, creating at zero each series not shown yet. The
// series of a previous flow's nodes stay, with their counts.
func (m *metrics) setFlow(flow *engine.Flow) {
	m.flowInfo.Reset()
	m.flowInfo.WithLabelValues(flow.Name(), flow.Version()).Set(1)
	nc := &nodeCounters{visits: map[*engine.Node]prometheus.Counter{}, invalid: map[*engine.Node]prometheus.Counter{}}
	for _, n := range append(flow.Nodes(), flow.Fallback()) {
		// Every node shows, at zero until visited, so that rate() and
		// alerts work for nodes nobody has reached yet.
		nc.visits[n] = m.visits.WithLabelValues(nodeLabel(n))
		if n.Kind() == engine.KindMenu {
			nc.invalid[n] = m.invalid.WithLabelValues(nodeLabel(n))
		}
	}
	m.nodes.Store(nc)
}

// vca counts one answered VCA.
func (m *metrics) vca(eventType string, step engine.Step, outcome string, took time.Duration) {
	m.vcaLatency.Observe(took.Seconds())
	if c, ok := m.callAction[outcome]; ok && eventType == callflows.EventCallAction {
		c.Inc()
	} else {
		m.webhooks.WithLabelValues("vca", eventTypeLabel(eventType), outcome).Inc()
	}
	if step.Next == nil {
		return
	}
	// A step of a flow replaced while it was answered finds no counter
	// of the current flow, and counts by label.
	nc := m.nodes.Load()
	if c, ok := nc.visits[step.Next]; ok {
		c.Inc()
	} else {
		m.visits.WithLabelValues(nodeLabel(step.Next)).Inc()
	}
	switch step.Outcome {
	case engine.OutcomeInvalid:
		if c, ok := nc.invalid[step.From]; ok {
			c.Inc()
		} else {
			m.invalid.WithLabelValues(nodeLabel(step.From)).Inc()
		}
	case engine.OutcomeUnknownNode, engine.OutcomeLeaf, outcomeInternal:
		m.fallbacks.WithLabelValues(string(step.Outcome)).Inc()
	case engine.OutcomeBadState:
		m.fallbacks.WithLabelValues("state_" + callstate.Reason(step.StateErr)).Inc()
	}
}

// vss counts one VSS webhook; status is its sessionStatus, "" when it was
// not accepted.
func (m *metrics) vss(outcome, status string, took time.Duration) {
	m.webhooks.WithLabelValues("vss", "", outcome).Inc()
	m.latency.WithLabelValues("vss").Observe(took.Seconds())
	if outcome == outcomeAccepted {
		m.sessions.WithLabelValues(sessionStatusLabel(status)).Inc()
	}
}

func nodeLabel(n *engine.Node) string {
	if n == nil || n.ID() == "" {
		return fallbackLabel
	}
	return n.ID()
}

// eventTypeLabel bounds the event_type label to the types 8x8 documents.
func eventTypeLabel(t string) string {
	switch u := strings.ToUpper(t); u {
	case "":
		return ""
	case callflows.EventCallAction, callflows.EventCallStatus, callflows.EventSessionSummary:
		return u
	}
	return "other"
}

// sessionStatusLabel bounds the status label to the sessionStatus values
// 8x8 documents.
func sessionStatusLabel(s string) string {
	switch u := strings.ToUpper(s); u {
	case "COMPLETED", "BUSY", "NO_ANSWER", "FAILED", "CANCELED", "ERROR",
		"COMPLETED_UNSUBSCRIBED", "COMPLETED_UNSUB_ERROR", "UNSUBSCRIBED_CONTACT":
		return u
	case "CANCELLED":
		return "CANCELED" // the spelling api-introduction uses
	case "":
		return "unknown"
	}
	return "other"
}

// setSwitches shows the positions of flow's switches, only those it
// declares, so that the name label stays bounded whatever a store holds.
func (m *metrics) setSwitches(flow *engine.Flow, set engine.Switches) {
	m.switches.Reset()
	for _, sw := range flow.Switches() {
		v := 0.0
		if flow.SwitchOn(sw.Name, set) {
			v = 1
		}
		m.switches.WithLabelValues(sw.Name).Set(v)
	}
}

// request counts one request of the request node n. Its labels are the
// flow's node IDs and the five results, so they stay bounded.
func (m *metrics) request(n *engine.Node, result string, took time.Duration) {
	m.requests.WithLabelValues(nodeLabel(n), result).Inc()
	m.requestDur.WithLabelValues(nodeLabel(n)).Observe(took.Seconds())
}
