package notify_test

import (
	"fmt"
	"net/url"

	"github.com/fundmatch/fundmatch/notify"
)

func ExampleFormatEuro() {
	budget := 2_700_000.0
	fmt.Println(notify.FormatEuro(notify.Dutch, &budget))
	fmt.Println(notify.FormatEuro(notify.English, &budget))
	// Output:
	// € 2.700.000
	// €2,700,000
}

func ExampleLinks() {
	secret := []byte("a secret of at least thirty-two bytes")
	links, err := notify.NewLinks("https://fundmatch.example.be", secret)
	if err != nil {
		panic(err)
	}
	// The web handler behind /mute reads the token back.
	u, _ := url.Parse(links.Mute(42, "HORIZON-MISS-2026-CIT-02-03"))
	tok, err := notify.Verify(secret, u.Query().Get("token"))
	fmt.Println(u.Path, tok.Purpose, tok.SubscriptionID, tok.CallID, err)
	// Output: /mute mute 42 HORIZON-MISS-2026-CIT-02-03 <nil>
}

func ExampleValidateWebhookURL() {
	fmt.Println(notify.ValidateWebhookURL("https://hooks.slack.com/services/T000/B000/XXXX"))
	fmt.Println(notify.ValidateWebhookURL("http://169.254.169.254/latest/meta-data"))
	// Output:
	// <nil>
	// webhook URL must start with https://
}
