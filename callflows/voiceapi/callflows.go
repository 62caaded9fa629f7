package voiceapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ivrctl/ivrctl/callflows"
)

// Send Callflow's success: statusCode 1 with sessionStatus CREATED.
const (
	statusCreated  = 1
	sessionCreated = "CREATED"
)

// SendResult is 8x8's acceptance of a Send Callflow request. Accepted is
// not answered: how the call went arrives later in the VSS webhook of
// SessionID.
type SendResult struct {
	// SessionID names the call session in every webhook about it.
	SessionID string
	// SessionStatus is CREATED.
	SessionStatus string
	// CallFlowRequestID identifies the request at 8x8 support.
	CallFlowRequestID string
	// ValidUntil echoes the request's validUntil, if 8x8 sends it back.
	ValidUntil string
	// StatusCode is 1.
	StatusCode int
	// StatusMessage is "Created".
	StatusMessage string
}

// sendAnswer is the body of every Send Callflow answer, success or not.
type sendAnswer struct {
	status
	SessionID  string `json:"sessionId"`
	ValidUntil string `json:"validUntil"`
}

// SendCallflow places an outbound call: it posts req to Send Callflow. It
// succeeds only on HTTP 200 with statusCode 1 and sessionStatus CREATED;
// any other answer is an *APIError, which also wraps ErrOutcomeUnknown
// when the answer names a session anyway. It does not validate req first: use
// callflows.Validate for that. The request is retried only when 8x8
// certainly did not act on it (see RetryPolicy); an error wrapping
// ErrOutcomeUnknown means the call may have been placed.
func (c *Client) SendCallflow(ctx context.Context, req *callflows.Request) (*SendResult, error) {
	const op = "send callflow"
	if req == nil {
		return nil, errors.New(op + ": nil request")
	}
	body, err := callflows.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ans, err := c.do(ctx, http.MethodPost, "/callflows", body)
	if err != nil {
		return nil, c.fail(op, err)
	}
	var out sendAnswer
	if err := c.decode(ans, &out); err != nil {
		// A 2xx we cannot read may still have placed the call.
		return nil, c.fail(op, fmt.Errorf("%w: %w", ErrOutcomeUnknown, err))
	}
	if ans.status != http.StatusOK || out.StatusCode != statusCreated || out.SessionStatus != sessionCreated {
		var err error = out.apiError(ans.status, c.apiKey)
		if out.SessionStatus == sessionCreated || out.SessionID != "" {
			// Not the documented success, but a session exists: sending
			// again could ring the callee twice.
			err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		return nil, c.fail(op, err)
	}
	return &SendResult{
		SessionID:         out.SessionID,
		SessionStatus:     out.SessionStatus,
		CallFlowRequestID: out.CallFlowRequestID,
		ValidUntil:        out.ValidUntil,
		StatusCode:        int(out.StatusCode),
		StatusMessage:     out.StatusMessage,
	}, nil
}

// fail wraps err with the operation it concerns, the API key kept out.
func (c *Client) fail(op string, err error) error {
	return scrub(fmt.Errorf("%s: %w", op, err), c.apiKey)
}
