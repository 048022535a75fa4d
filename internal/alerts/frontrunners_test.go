package alerts_test

import (
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/store"
	"github.com/fundmatch/fundmatch/internal/testsmtp"
)

// TestANewcomerHearsWhoDidASimilarProject: Brugge and Antwerpen did
// projects like the call, Gent did not. Gent's new-match alert names them,
// by email and in Slack, with Brugge's marked-up project title escaped;
// Antwerpen's alert names no one, since it did it itself.
func TestANewcomerHearsWhoDidASimilarProject(t *testing.T) {
	f := newFixture(t)
	brugge := f.city("brugge", "Brugge", "31005")
	call := f.call("ERDF-VL-2027-MOBIPUNTEN", "Mobipunten in de kernen", "ERDF-VL", "2027-03-24")
	f.match(call, f.gent, 82, "eligible")
	f.match(call, f.antw, 75, "eligible")
	for _, p := range []struct {
		city       int64
		source, id string
		title      string
		year       int
		programme  string
		similarity float64
	}{
		{brugge, "kohesio", "k1", "Mobipunten <b>met</b> deelfietsen <!channel> <http://evil.example|klik>", 2021, "ERDF", 0.7},
		{f.antw, "seed", "cot-antwerpen", "Slimme mobipunten", 2019, "COT", 0.5},
	} {
		project := f.id(`INSERT INTO projects (source, source_id, title, year, programme) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			p.source, p.id, p.title, p.year, p.programme)
		f.exec(`INSERT INTO project_members (project_id, city_id, role) VALUES ($1, $2, 'lead')`, project, p.city)
		f.exec(`INSERT INTO front_runners (call_id, city_id, project_id, similarity) VALUES ($1, $2, $3, $4)`,
			call, p.city, project, p.similarity)
	}
	f.subscribe(store.NewSubscription{Email: "officer@gent.be", MinScore: 50})
	f.subscribe(store.NewSubscription{Channel: "slack_webhook", SlackWebhookURL: webhook, UserEmail: "officer@gent.be", MinScore: 50})
	f.subscribe(store.NewSubscription{Email: "officer@antwerpen.be", MinScore: 50, Cities: []string{"antwerpen"}})
	f.sweep(monday)
	if r := f.deliver(monday); r.Sent != 3 {
		t.Fatalf("deliver: %s, want three sent", r)
	}

	// Each email's parts as sent: its plain text, then its HTML with the
	// HTML's escapes kept.
	var gent, antw string
	for _, m := range f.sink.Mails(t) {
		switch to := m.Header.Get("To"); {
		case strings.Contains(to, "officer@gent.be"):
			gent = rawParts(t, m)
		case strings.Contains(to, "officer@antwerpen.be"):
			antw = rawParts(t, m)
		}
	}
	for _, want := range []string{
		"Wie deed dit al?",
		"- Brugge deed al een gelijkaardig project: Mobipunten <b>met</b> deelfietsen <!channel> <http://evil.example|klik> (2021, Kohesio)",
		"- Antwerpen deed al een gelijkaardig project: Slimme mobipunten (2019, City of Things)",
		"<li>Brugge deed al een gelijkaardig project: Mobipunten &lt;b&gt;met&lt;/b&gt; deelfietsen &lt;!channel&gt;",
	} {
		if !strings.Contains(gent, want) {
			t.Errorf("Gent's email lacks %q:\n%s", want, gent)
		}
	}
	if strings.Contains(gent, "<li>Brugge deed al een gelijkaardig project: Mobipunten <b>") {
		t.Errorf("Gent's HTML email lets the project title's markup through:\n%s", gent)
	}
	if strings.Index(gent, "Brugge deed") > strings.Index(gent, "Antwerpen deed") {
		t.Errorf("Brugge (0.7) is not named before Antwerpen (0.5):\n%s", gent)
	}
	if antw == "" || strings.Contains(antw, "Wie deed dit al?") || strings.Contains(antw, "Brugge") {
		t.Errorf("Antwerpen, a front-runner itself, hears of others (or got nothing):\n%s", antw)
	}

	posts := f.slack.received()
	if len(posts) != 1 {
		t.Fatalf("Slack saw %d posts, want 1", len(posts))
	}
	// The blocks as Slack reads them: JSON's escapes of &, < and > undone.
	var blocks string
	for _, b := range posts[0].Blocks {
		blocks += strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(string(b))
	}
	if !strings.Contains(blocks, "Brugge deed al een gelijkaardig project: Mobipunten &lt;b&gt;met&lt;/b&gt; deelfietsen &lt;!channel&gt; &lt;http://evil.example|klik&gt;") {
		t.Errorf("the Slack alert lacks Brugge, escaped: %s", blocks)
	}
	if strings.Contains(blocks, "<!channel>") || strings.Contains(blocks, "<http://evil") {
		t.Errorf("the project title reaches Slack as markup: %s", blocks)
	}
}

// rawParts returns the decoded parts of a multipart email, one after the
// other, without undoing HTML escapes (decodedBody does).
func rawParts(t *testing.T, m *mail.Message) string {
	t.Helper()
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(testsmtp.Decode(p.Header.Get("Content-Transfer-Encoding"), p))
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		out.WriteString("\n")
	}
}
