package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/ivrctl/ivrctl/callflows/voiceapi"
)

const webhooksUsage = `Usage:
  ivrctl webhooks set --vca URL --vss URL [--auth-header VALUE] [--api-base URL]
  ivrctl webhooks list [--api-base URL]
  ivrctl webhooks delete TYPE [--api-base URL]

set registers ivrctl serve's webhook URLs with 8x8, replacing those of the
same types; --auth-header (default $IVRCTL_WEBHOOK_AUTH) is the Authorization
header 8x8 will send with every webhook. The API key and sub-account come
from $IVRCTL_API_KEY and $IVRCTL_SUBACCOUNT.
`

func runWebhooks(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, webhooksUsage)
		return exitUsage
	}
	switch sub, rest := args[0], args[1:]; sub {
	case "set":
		return runWebhooksSet(ctx, rest, stdout, stderr)
	case "list":
		return runWebhooksList(ctx, rest, stdout, stderr)
	case "delete":
		return runWebhooksDelete(ctx, rest, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, webhooksUsage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "ivrctl webhooks: unknown subcommand %q\n\n%s", sub, webhooksUsage)
		return exitUsage
	}
}

func runWebhooksSet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("webhooks set", "webhooks set --vca URL --vss URL [--auth-header VALUE] [--api-base URL]", stderr)
	vca := fs.String("vca", "", "URL of the Voice Call Action webhook, e.g. https://ivr.example.com/webhooks/vca")
	vss := fs.String("vss", "", "URL of the Voice Session Summary webhook, e.g. https://ivr.example.com/webhooks/vss")
	// The default is not the flag's own: PrintDefaults would print the
	// secret in the usage text.
	auth := fs.String("auth-header", "", "Authorization header value 8x8 sends with each webhook (default $"+envWebhookAuth+")")
	var api apiFlags
	api.register(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	authGiven := false
	fs.Visit(func(f *flag.Flag) { authGiven = authGiven || f.Name == "auth-header" })
	if !authGiven {
		*auth = os.Getenv(envWebhookAuth)
	}
	if len(rest) > 0 || (*vca == "" && *vss == "") {
		fmt.Fprintln(stderr, "ivrctl webhooks set: give --vca URL, --vss URL or both")
		fs.Usage()
		return exitUsage
	}
	hooks := []voiceapi.Webhook{}
	for _, h := range []struct {
		typ voiceapi.WebhookType
		url string
	}{{voiceapi.WebhookVCA, *vca}, {voiceapi.WebhookVSS, *vss}} {
		if h.url == "" {
			continue
		}
		if err := checkWebhookURL(h.url); err != nil {
			fmt.Fprintf(stderr, "ivrctl webhooks set: --%s: %v\n", strings.ToLower(string(h.typ)), err)
			return exitUsage
		}
		hooks = append(hooks, voiceapi.Webhook{Type: h.typ, URL: h.url, AuthHeader: *auth})
	}
	if *auth == "" {
		fmt.Fprintln(stderr, "ivrctl webhooks set: warning: no --auth-header: anyone who learns the URL can post webhooks to your line")
	}
	client := api.client("webhooks set", stderr)
	if client == nil {
		return exitUsage
	}
	for _, h := range hooks {
		// 8x8 keeps one webhook per type and has no update: delete, then
		// create. A 404 means there was none to delete.
		if _, err := client.DeleteWebhook(ctx, h.Type); err != nil && !isNotFound(err) {
			return apiFailure("webhooks set", stderr, err)
		}
		info, err := client.CreateWebhook(ctx, h)
		if err != nil {
			code := apiFailure("webhooks set", stderr, err)
			fmt.Fprintf(stderr, "ivrctl webhooks set: 8x8 has no %s webhook now; run webhooks set again\n", h.Type)
			return code
		}
		fmt.Fprintf(stdout, "%s %s%s\n", info.Type, info.URL, authNote(info.HTTPAuthHeaderAvailable))
	}
	return exitOK
}

// checkWebhookURL accepts the absolute http(s) URLs 8x8 can post to.
func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return nil
}

func isNotFound(err error) bool {
	var apiErr *voiceapi.APIError
	return errors.As(err, &apiErr) && apiErr.HTTPStatus == http.StatusNotFound
}

func authNote(set bool) string {
	if set {
		return " (with Authorization header)"
	}
	return ""
}

func runWebhooksList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("webhooks list", "webhooks list [--api-base URL]", stderr)
	client, code := noArgsClient(fs, &apiFlags{}, args, stderr)
	if client == nil {
		return code
	}
	hooks, err := client.ListWebhooks(ctx)
	if err != nil {
		return apiFailure("webhooks list", stderr, err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tURL\tENABLED\tAUTH HEADER")
	for _, h := range hooks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Type, h.URL, yesNo(h.Enabled), yesNo(h.HTTPAuthHeaderAvailable))
	}
	tw.Flush()
	return exitOK
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func runWebhooksDelete(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("webhooks delete", "webhooks delete TYPE [--api-base URL]", stderr)
	var api apiFlags
	api.register(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(rest) != 1 {
		fmt.Fprintln(stderr, "ivrctl webhooks delete: give one type: VCA, VSS, VCS, VRU or VNU")
		return exitUsage
	}
	typ := voiceapi.WebhookType(strings.ToUpper(rest[0]))
	switch typ {
	case voiceapi.WebhookVCA, voiceapi.WebhookVSS, voiceapi.WebhookVCS, voiceapi.WebhookVRU, voiceapi.WebhookVNU:
	default:
		fmt.Fprintf(stderr, "ivrctl webhooks delete: unknown type %q: use VCA, VSS, VCS, VRU or VNU\n", rest[0])
		return exitUsage
	}
	client := api.client("webhooks delete", stderr)
	if client == nil {
		return exitUsage
	}
	info, err := client.DeleteWebhook(ctx, typ)
	if isNotFound(err) {
		// 8x8 answers 404 when it holds no webhook of the type, and also
		// for an unknown sub-account: apiFailure's hint names only the latter.
		fmt.Fprintf(stderr, "ivrctl webhooks delete: %v\n", err)
		fmt.Fprintf(stderr, "ivrctl webhooks delete: there is no %s webhook to delete (see ivrctl webhooks list), or %s is wrong\n", typ, envSubAccount)
		return exitProblems
	}
	if err != nil {
		return apiFailure("webhooks delete", stderr, err)
	}
	fmt.Fprintf(stdout, "deleted %s %s\n", info.Type, info.URL)
	return exitOK
}
