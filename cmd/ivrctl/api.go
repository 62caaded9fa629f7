package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/ivrctl/ivrctl/callflows/voiceapi"
)

// Environment variables the 8x8 API commands read. The key is never taken
// from a flag, where it would sit in shell history and process lists.
const (
	envAPIKey      = "IVRCTL_API_KEY"
	envSubAccount  = "IVRCTL_SUBACCOUNT"
	envWebhookAuth = "IVRCTL_WEBHOOK_AUTH"
	// envStateKey holds the keys that sign the call state (see
	// callstate.ParseKeys).
	envStateKey = "IVRCTL_STATE_KEY"
	// envRequestSecret signs request nodes' requests (see package
	// business).
	envRequestSecret = "IVRCTL_REQUEST_SECRET"
)

// retryPolicy is the 8x8 client's retry policy; tests shorten its waits.
var retryPolicy voiceapi.RetryPolicy

// apiFlags are the flags every command that talks to 8x8 shares.
type apiFlags struct {
	base string
}

func (a *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.base, "api-base", voiceapi.DefaultBaseURL, "base URL of the 8x8 Voice API")
}

// client returns a client of the 8x8 Voice API configured from the
// environment, or prints a usage error and returns nil.
func (a *apiFlags) client(cmd string, stderr io.Writer) *voiceapi.Client {
	key, sub := os.Getenv(envAPIKey), os.Getenv(envSubAccount)
	var missing []string
	if key == "" {
		missing = append(missing, envAPIKey+" (an API key from the 8x8 Connect portal)")
	}
	if sub == "" {
		missing = append(missing, envSubAccount+" (the sub-account ID)")
	}
	for _, m := range missing {
		fmt.Fprintf(stderr, "ivrctl %s: set %s\n", cmd, m)
	}
	if len(missing) > 0 {
		return nil
	}
	c, err := voiceapi.New(key, sub, voiceapi.WithBaseURL(a.base), voiceapi.WithRetry(retryPolicy))
	if err != nil {
		fmt.Fprintf(stderr, "ivrctl %s: %v\n", cmd, err)
		return nil
	}
	return c
}

// noArgsClient parses args for an 8x8 API command that takes flags only,
// and returns its client; it prints why and returns nil with the exit code
// when it cannot.
func noArgsClient(fs *flag.FlagSet, api *apiFlags, args []string, stderr io.Writer) (*voiceapi.Client, int) {
	api.register(fs)
	if code := parseNoArgs(fs, args, stderr); code >= 0 {
		return nil, code
	}
	client := api.client(fs.Name(), stderr)
	if client == nil {
		return nil, exitUsage
	}
	return client, exitOK
}

// apiFailure prints err, an error of the 8x8 client, in plain words with a
// hint where the cause is likely, and returns the exit code.
func apiFailure(cmd string, stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "ivrctl %s: %v\n", cmd, err)
	var apiErr *voiceapi.APIError
	if errors.As(err, &apiErr) {
		if hint := statusHints[apiErr.StatusCode]; hint != "" {
			fmt.Fprintf(stderr, "ivrctl %s: %s\n", cmd, hint)
		} else if hint := statusHints[apiErr.HTTPStatus]; hint != "" {
			fmt.Fprintf(stderr, "ivrctl %s: %s\n", cmd, hint)
		}
	}
	if errors.Is(err, voiceapi.ErrOutcomeUnknown) {
		fmt.Fprintf(stderr, "ivrctl %s: 8x8 may have acted on the request anyway; check before trying again\n", cmd)
	}
	return exitProblems
}

// statusHints say what to do about the 8x8 status codes a user can fix.
var statusHints = map[int]string{
	401:   "check " + envAPIKey + ": 8x8 did not accept the API key",
	403:   "the API key may not use the Voice API, or this address is not on the account's IP allowlist",
	404:   "check " + envSubAccount + ": 8x8 knows no such sub-account",
	429:   "8x8 is limiting requests; try again in a while",
	-1002: "the voice is not one of the sub-account's speech profiles (see ivrctl voices)",
	-1014: "the caller ID is not whitelisted for the sub-account; ask 8x8 support, or use --from with an allowed number",
	-1017: "the number is not a valid E.164 phone number such as +6591234567",
}
