package voiceapi_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/ivrctl/ivrctl/callflows"
	"github.com/ivrctl/ivrctl/callflows/voiceapi"
	"github.com/ivrctl/ivrctl/callflows/voiceapi/voiceapitest"
)

func ExampleClient_SendCallflow() {
	fake := voiceapitest.NewServer(nil, "my-api-key", "acme") // stands in for 8x8
	defer fake.Close()

	c, err := voiceapi.New("my-api-key", "acme", voiceapi.WithBaseURL(fake.URL))
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.SendCallflow(context.Background(), &callflows.Request{
		Callflow: callflows.Callflow{
			&callflows.MakeCall{Source: "+6568888888", Destination: "+6591234567"},
			&callflows.Say{Text: "Your table is booked.", VoiceProfile: "en-US-BenjaminRUS"},
			&callflows.Hangup{},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.SessionStatus, res.StatusMessage)
	// Output: CREATED Created
}

func ExampleAPIError() {
	fake := voiceapitest.NewServer(nil, "my-api-key", "acme")
	defer fake.Close()

	c, err := voiceapi.New("my-api-key", "acme", voiceapi.WithBaseURL(fake.URL))
	if err != nil {
		log.Fatal(err)
	}
	// An outbound call must start with makeCall.
	_, err = c.SendCallflow(context.Background(), &callflows.Request{
		Callflow: callflows.Callflow{&callflows.Say{Text: "Hello", VoiceProfile: "en-US-BenjaminRUS"}},
	})
	if apiErr, ok := errors.AsType[*voiceapi.APIError](err); ok {
		fmt.Println(apiErr.HTTPStatus, apiErr.StatusCode, apiErr.SessionStatus)
	}
	// Output: 422 -1013 NOT_CREATED
}

func ExampleClient_CreateWebhook() {
	fake := voiceapitest.NewServer(nil, "my-api-key", "acme")
	defer fake.Close()

	c, err := voiceapi.New("my-api-key", "acme", voiceapi.WithBaseURL(fake.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, w := range []voiceapi.Webhook{
		{Type: voiceapi.WebhookVCA, URL: "https://ivr.example.com/webhooks/vca", AuthHeader: "Bearer webhook-secret"},
		{Type: voiceapi.WebhookVSS, URL: "https://ivr.example.com/webhooks/vss"},
	} {
		if _, err := c.CreateWebhook(ctx, w); err != nil {
			log.Fatal(err)
		}
	}
	hooks, err := c.ListWebhooks(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hooks {
		fmt.Println(h.Type, h.URL, h.Enabled, h.HTTPAuthHeaderAvailable)
	}
	// Output:
	// VCA https://ivr.example.com/webhooks/vca true true
	// VSS https://ivr.example.com/webhooks/vss true false
}
