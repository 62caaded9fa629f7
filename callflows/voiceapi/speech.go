package voiceapi

import (
	"context"
	"net/http"
)

// SpeechProfile is a text-to-speech voice, usable as the voiceProfile of
// say and sayAndCapture.
type SpeechProfile struct {
	// SpeechProfileCode is the voiceProfile value, e.g. en-US-BenjaminRUS.
	SpeechProfileCode string `json:"speechProfileCode"`
	// LocaleCode is the voice's language, e.g. en-US.
	LocaleCode string `json:"localeCode"`
	// LocaleDescription names the language, e.g. EnglishUS.
	LocaleDescription string `json:"localeDescription"`
	// Gender is F or M.
	Gender string `json:"gender"`
}

// SpeechProfiles returns the voices the sub-account may use. An answer with
// a negative or HTTP-like (400 and up) statusCode is an *APIError, whatever
// its HTTP status.
func (c *Client) SpeechProfiles(ctx context.Context) ([]SpeechProfile, error) {
	const op = "list speech profiles"
	ans, err := c.do(ctx, http.MethodGet, "/speech-profiles", nil)
	if err != nil {
		return nil, c.fail(op, err)
	}
	var out struct {
		status
		SpeechProfiles []SpeechProfile `json:"speechProfiles"`
	}
	if err := c.decode(ans, &out); err != nil {
		return nil, c.fail(op, err)
	}
	// 8x8 does not document this endpoint's success code; its error codes
	// are all negative or HTTP-like.
	if out.StatusCode < 0 || out.StatusCode >= 400 {
		return nil, c.fail(op, out.apiError(ans.status, c.apiKey))
	}
	return out.SpeechProfiles, nil
}
