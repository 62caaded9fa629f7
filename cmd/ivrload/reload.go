package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/carrier"
	"github.com/ivrctl/ivrctl/engine"
)

// Pauses of the reload run.
const (
	// reloadPause follows each rewrite and SIGHUP.
	reloadPause = 50 * time.Millisecond
	// reloadSettle is the load before the first rewrite and after the
	// last, for the server to take it in.
	reloadSettle = 500 * time.Millisecond
)

// The messages of serve's reload log lines.
const (
	msgReloaded  = "flow reloaded"
	msgRejected  = "reload rejected"
	msgUnchanged = "flow unchanged"
)

// reloadTarget is the serve process whose flow is reloaded.
type reloadTarget struct {
	serve    *child
	addr     string
	flowPath string // the copy serve serves, which is rewritten
	logPath  string
	src      []byte // the flow as given
	flow     *engine.Flow
}

// runReloads drives ivrctl with the Go driver, checking every answer,
// while it rewrites the flow cfg.reloads times, a valid edit and a broken
// one in turn, each written to a temporary file renamed over the flow (as
// editors save) and followed by SIGHUP and a pause. It fails on any failed
// answer, and unless serve's log shows at least one reload accepted and
// one rejected.
func runReloads(ctx context.Context, cfg *config, t reloadTarget, m *mix, stdout io.Writer) error {
	versions := make([][]byte, cfg.reloads)
	for i := range versions {
		var err error
		if i%2 == 0 {
			versions[i], err = validEdit(t.src, t.flow, i+1)
		} else {
			versions[i], err = brokenEdit(t.src, t.flow, i+1)
		}
		if err != nil {
			return err
		}
		// Check the edits do what they are meant to before using them.
		f, diags, _ := engine.Load(t.flowPath, engine.LoadOptions{Source: versions[i]})
		switch {
		case i%2 == 0 && f == nil:
			return fmt.Errorf("the valid edit %d of %s does not load:\n%v", i+1, t.flowPath, diags)
		case i%2 == 1 && f != nil:
			return fmt.Errorf("the broken edit %d of %s loads", i+1, t.flowPath)
		}
	}

	drv := &goDriver{URL: "http://" + t.addr + webhookPath, Conns: cfg.conns, Bodies: m.Bodies, Validate: true, FreshIDs: !cfg.repeatIDs}
	dctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	type outcome struct {
		st  *driverStats
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		st, err := drv.run(dctx)
		done <- outcome{st, err}
	}()
	fmt.Fprintf(stdout, "reloading %s %d times under load (Go driver, %d connections, every answer checked)\n",
		filepath.Base(t.flowPath), cfg.reloads, cfg.conns)

	wait := func(d time.Duration) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.serve.done:
			return fmt.Errorf("ivrctl serve exited (%v) during the reloads; its log is %s", t.serve.err, t.logPath)
		case <-time.After(d):
			return nil
		}
	}
	loadErr := func() error {
		if err := wait(reloadSettle); err != nil {
			return err
		}
		for _, v := range versions {
			if err := writeAtomic(t.flowPath, v); err != nil {
				return err
			}
			if err := t.serve.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				return fmt.Errorf("SIGHUP ivrctl serve: %w", err)
			}
			if err := wait(reloadPause); err != nil {
				return err
			}
		}
		return wait(reloadSettle)
	}()
	stopLoad()
	out := <-done
	if loadErr != nil {
		return loadErr
	}
	if out.err != nil {
		return out.err
	}
	st := out.st

	log, err := os.ReadFile(t.logPath)
	if err != nil {
		return err
	}
	counts := countMessages(log)
	fmt.Fprintf(stdout, "requests: %d in %.2fs (%.0f/s), p50 %s, p99 %s, failed or invalid: %d\n",
		st.Requests, st.Elapsed.Seconds(), st.RPS(), fmtLatency(st.Percentile(50)), fmtLatency(st.Percentile(99)), st.Failures)
	for _, s := range st.FailureSamples {
		fmt.Fprintln(stdout, "  failure:", s)
	}
	fmt.Fprintf(stdout, "serve log: %s, %s, %s (of %d edits: %d valid, %d broken)\n",
		fmtCount(counts, msgReloaded), fmtCount(counts, msgRejected), fmtCount(counts, msgUnchanged),
		cfg.reloads, (cfg.reloads+1)/2, cfg.reloads/2)
	// The last valid edit must be what callers hear now.
	lastValid := (cfg.reloads-1)/2*2 + 1
	marker := fmt.Sprintf(editMarker, lastValid)
	answer, err := startAnswer(ctx, t.addr, m)
	if err != nil {
		return err
	}
	plays := bytes.Contains(answer, []byte(marker))
	fmt.Fprintf(stdout, "a new call now hears the last valid edit (%q): %v\n", marker, plays)

	var problems []string
	if st.Failures > 0 {
		problems = append(problems, fmt.Sprintf("%d requests failed or were answered invalidly", st.Failures))
	}
	if st.Requests == 0 {
		problems = append(problems, "no request was answered")
	}
	if counts[msgReloaded] == 0 {
		problems = append(problems, fmt.Sprintf("serve logged no %q: does it reload on SIGHUP?", msgReloaded))
	}
	if counts[msgRejected] == 0 && cfg.reloads > 1 {
		problems = append(problems, fmt.Sprintf("serve logged no %q", msgRejected))
	}
	if !plays {
		problems = append(problems, "a new call does not hear the last valid edit")
	}
	if len(problems) > 0 {
		fmt.Fprintln(stdout, "FAIL:", strings.Join(problems, "; "))
		return errFailed
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}

// countMessages counts the JSON log lines by message, and by message and
// trigger (as "message/trigger") for lines that have a trigger: serve
// reloads on SIGHUP ("sighup") and when it sees the file change ("watch").
func countMessages(log []byte) map[string]int {
	counts := map[string]int{}
	for line := range bytes.Lines(log) {
		var l struct {
			Message string `json:"message"`
			Trigger string `json:"trigger"`
		}
		if json.Unmarshal(line, &l) == nil {
			counts[l.Message]++
			if l.Trigger != "" {
				counts[l.Message+"/"+l.Trigger]++
			}
		}
	}
	return counts
}

// fmtCount formats the count of msg with its split by trigger.
func fmtCount(counts map[string]int, msg string) string {
	s := fmt.Sprintf("%q %d", msg, counts[msg])
	var by []string
	for _, trigger := range []string{"sighup", "watch"} {
		if n := counts[msg+"/"+trigger]; n > 0 {
			by = append(by, fmt.Sprintf("%s %d", trigger, n))
		}
	}
	if len(by) > 0 {
		s += " (" + strings.Join(by, ", ") + ")"
	}
	return s
}

// editMarker is appended to the start node's text by the valid edit n.
const editMarker = " (edit %d)"

// startAnswer posts the first webhook of the mix that starts a call
// (CALL_RECEIVED) to addr and returns the answer.
func startAnswer(ctx context.Context, addr string, m *mix) ([]byte, error) {
	for _, body := range m.Bodies {
		ev, err := callflows.DecodeCallAction(body)
		if err != nil || ev.Payload.CallStatus != callflows.StatusCallReceived {
			continue
		}
		status, answer, err := carrier.Post(ctx, nil, "http://"+addr+webhookPath, body)
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("POST %s: status %d: %s", webhookPath, status, answer)
		}
		return answer, nil
	}
	return nil, errors.New("no webhook of the mix starts a call")
}

// writeAtomic replaces path with data as editors save: a temporary file
// in the same directory, renamed over it.
func writeAtomic(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// validEdit returns src with the text of the start node (its menu or say)
// changed by appending n to it: a new flow callers hear differently.
func validEdit(src []byte, flow *engine.Flow, n int) ([]byte, error) {
	return editYAML(src, func(root *yaml.Node) error {
		node := mapValue(mapValue(root, "nodes"), flow.Start().ID())
		for _, key := range []string{"menu", "say"} {
			if v := mapValue(node, key); v != nil && v.Kind == yaml.ScalarNode {
				v.Value += fmt.Sprintf(editMarker, n)
				return nil
			}
		}
		return fmt.Errorf("start node %q has no menu or say text to edit", flow.Start().ID())
	})
}

// brokenEdit returns src with a mistake that stops it loading: the start
// node's first key, or the start itself, names a node that does not exist.
func brokenEdit(src []byte, flow *engine.Flow, n int) ([]byte, error) {
	missing := fmt.Sprintf("no_such_node_%d", n)
	return editYAML(src, func(root *yaml.Node) error {
		keys := mapValue(mapValue(mapValue(root, "nodes"), flow.Start().ID()), "keys")
		if keys != nil && keys.Kind == yaml.MappingNode && len(keys.Content) >= 2 {
			keys.Content[1].Value = missing
			return nil
		}
		if start := mapValue(root, "start"); start != nil {
			start.Value = missing
			return nil
		}
		return errors.New("flow has no start to break")
	})
}

// editYAML decodes src, lets edit change its top-level mapping and encodes
// the result.
func editYAML(src []byte, edit func(root *yaml.Node) error) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("flow file is not a YAML mapping")
	}
	if err := edit(doc.Content[0]); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// mapValue returns the value of key in the mapping m, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
