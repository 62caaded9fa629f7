package voiceapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ivrctl/ivrctl/callflows"
)

// WebhookType is the kind of event a webhook receives.
type WebhookType string

// The webhook types of the Webhooks API.
const (
	// WebhookVCA (Voice Call Action) asks what a call should do next; its
	// answer is the callflow. An IVR needs it.
	WebhookVCA WebhookType = "VCA"
	// WebhookVSS (Voice Session Summary) reports how a call session ended.
	WebhookVSS WebhookType = "VSS"
	// WebhookVCS (Voice Call Status) reports changes of a call's status.
	WebhookVCS WebhookType = "VCS"
	// WebhookVRU (Voice Recording Uploaded) reports a call recording.
	WebhookVRU WebhookType = "VRU"
	// WebhookVNU (Virtual Number Updated) reports a change to a virtual
	// number.
	WebhookVNU WebhookType = "VNU"
)

// Webhook is a webhook to create: where 8x8 posts events of one type.
type Webhook struct {
	Type WebhookType
	// URL is where 8x8 posts the events.
	URL string
	// AuthHeader, if not empty, is a secret 8x8 sends with every event
	// (most likely as the Authorization header) so the receiver can tell
	// the events are 8x8's. 8x8 never returns it.
	AuthHeader string
	// Disabled creates the webhook switched off. 8x8's default, and the
	// zero value's, is enabled.
	Disabled bool
}

// WebhookInfo is a webhook as 8x8 reports it.
type WebhookInfo struct {
	Type    WebhookType
	URL     string
	Enabled bool
	// HTTPAuthHeaderAvailable reports whether the webhook has an
	// AuthHeader; the header itself is never returned.
	HTTPAuthHeaderAvailable bool
}

// wireWebhook is a webhook in the Webhooks API's answers.
type wireWebhook struct {
	Type                    string `json:"type"`
	URL                     string `json:"url"`
	Enabled                 bool   `json:"enabled"`
	HTTPAuthHeaderAvailable bool   `json:"httpAuthHeaderAvailable"`
}

func (w wireWebhook) info() WebhookInfo {
	return WebhookInfo{
		Type:                    WebhookType(w.Type),
		URL:                     w.URL,
		Enabled:                 w.Enabled,
		HTTPAuthHeaderAvailable: w.HTTPAuthHeaderAvailable,
	}
}

// webhooksAnswer is the body of every Webhooks API answer: a list for
// create and list, one webhook at the top level for delete.
type webhooksAnswer struct {
	status
	wireWebhook
	SubAccountID string        `json:"subAccountId"`
	Count        int           `json:"count"`
	Webhooks     []wireWebhook `json:"webhooks"`
}

// webhooks sends a Webhooks API request and decodes the answer, which
// is a success on HTTP 2xx with statusCode 0.
func (c *Client) webhooks(ctx context.Context, op, method, path string, body []byte) (*webhooksAnswer, error) {
	ans, err := c.do(ctx, method, path, body)
	if err != nil {
		return nil, c.fail(op, err)
	}
	var out webhooksAnswer
	if err := c.decode(ans, &out); err != nil {
		if method == http.MethodPost {
			err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		return nil, c.fail(op, err)
	}
	if out.StatusCode != 0 {
		return nil, c.fail(op, out.apiError(ans.status, c.apiKey))
	}
	return &out, nil
}

// CreateWebhook registers w and returns it as 8x8 reports it. 8x8 keeps
// one webhook per type and has no update: to change one, DeleteWebhook it
// first. What 8x8 does with a create for a type it already holds is not
// documented; the fake in voiceapitest refuses it with HTTP 409, so code
// that skips the delete is caught in tests.
func (c *Client) CreateWebhook(ctx context.Context, w Webhook) (*WebhookInfo, error) {
	op := fmt.Sprintf("create %s webhook", w.Type)
	if w.Type == "" {
		return nil, errors.New("create webhook: missing type")
	}
	if w.URL == "" {
		return nil, errors.New(op + ": missing URL")
	}
	body, err := callflows.Marshal(struct {
		Type           WebhookType `json:"type"`
		URL            string      `json:"url"`
		HTTPAuthHeader string      `json:"httpAuthHeader,omitempty"`
		Enabled        bool        `json:"enabled"`
	}{w.Type, w.URL, w.AuthHeader, !w.Disabled})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out, err := c.webhooks(ctx, op, http.MethodPost, "/webhooks", body)
	if err != nil {
		return nil, err
	}
	for _, got := range out.Webhooks {
		if WebhookType(got.Type) == w.Type {
			info := got.info()
			return &info, nil
		}
	}
	// 8x8 accepted it but did not list it back; report what was sent.
	return &WebhookInfo{Type: w.Type, URL: w.URL, Enabled: !w.Disabled, HTTPAuthHeaderAvailable: w.AuthHeader != ""}, nil
}

// ListWebhooks returns the sub-account's webhooks, at most one per type.
func (c *Client) ListWebhooks(ctx context.Context) ([]WebhookInfo, error) {
	out, err := c.webhooks(ctx, "list webhooks", http.MethodGet, "/webhooks", nil)
	if err != nil {
		return nil, err
	}
	infos := make([]WebhookInfo, len(out.Webhooks))
	for i, w := range out.Webhooks {
		infos[i] = w.info()
	}
	return infos, nil
}

// DeleteWebhook deletes the sub-account's webhook of type typ and returns
// it as it was. 8x8 answers HTTP 404 when there is none. DELETE is retried
// on network errors, so when a first attempt deleted the webhook but its
// answer was lost, the error is that 404.
func (c *Client) DeleteWebhook(ctx context.Context, typ WebhookType) (*WebhookInfo, error) {
	op := fmt.Sprintf("delete %s webhook", typ)
	if typ == "" {
		return nil, errors.New("delete webhook: missing type")
	}
	out, err := c.webhooks(ctx, op, http.MethodDelete, "/webhooks/"+url.PathEscape(string(typ)), nil)
	if err != nil {
		return nil, err
	}
	info := out.wireWebhook.info()
	if info.Type == "" {
		info.Type = typ
	}
	return &info, nil
}
