package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fundmatch/fundmatch/internal/web"
)

// frontRunners stores, as scoring would, that Aalst (City of Things) and
// Leuven (CORDIS) did projects like the climate-neutral cities call; Aalst's
// title carries markup that must reach the page as text.
func (s *site) frontRunners(t *testing.T) {
	t.Helper()
	_, err := s.db.Exec(`
INSERT INTO projects (source, source_id, title, year, programme) VALUES
 ('seed', 'cot-aalst-fr', 'Klimaatwijken <script>alert(1)</script> & <b>co</b>', 2019, 'COT'),
 ('cordis', 'fr-leuven', 'Leuven 2030 living lab', 2021, 'H2020');
INSERT INTO project_members (project_id, city_id, role)
SELECT p.id, c.id, 'lead' FROM projects p JOIN cities c ON (p.source_id, c.slug) IN (('cot-aalst-fr', 'aalst'), ('fr-leuven', 'leuven'));
INSERT INTO front_runners (call_id, city_id, project_id, similarity, themes)
SELECT ca.id, pm.city_id, p.id, v.sim, v.themes::jsonb
FROM (VALUES
 ('cot-aalst-fr', 0.55, '[{"concept": "climate-neutral-cities", "label_nl": "klimaatneutrale stad", "label_en": "climate-neutral city"}]'),
 ('fr-leuven', 0.8, '[]')) AS v(project, sim, themes)
JOIN projects p ON p.source_id = v.project JOIN project_members pm ON pm.project_id = p.id
JOIN calls ca ON ca.identifier = 'HORIZON-CL5-2027-D4-01';`)
	if err != nil {
		t.Fatalf("front-runners: %v", err)
	}
}

func TestTheCallPageShowsWhoDidThisBefore(t *testing.T) {
	s := newSite(t, web.Config{})
	s.fixture(t)
	s.frontRunners(t)
	officer := s.session(t, s.addUser(t, "o@aalst.be", "officer", "aalst"))
	gov := s.session(t, s.addUser(t, "g@vlaanderen.be", "government"))
	const page = "/calls/HORIZON-CL5-2027-D4-01"

	_, _, body := do(t, "GET", s.URL+page, officer, "", nil)
	section := body[strings.Index(body, `id="before-h"`):]
	section = section[:strings.Index(section, "</section>")]
	for _, want := range []string{
		"Wie deed dit al?",
		// Most similar first; Aalst's officer may open Aalst's page, not Leuven's.
		`Leuven: Leuven 2030 living lab (2021, CORDIS)`,
		`<a href="/cities/aalst">Aalst</a>: Klimaatwijken &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt; (2019, City of Things)`,
		"gedeelde thema&#39;s: klimaatneutrale stad",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the section lacks %q:\n%s", want, section)
		}
	}
	if strings.Contains(section, `href="/cities/leuven"`) || strings.Contains(body, "<script>alert(1)") {
		t.Errorf("the section links a city the officer may not see, or lets markup through:\n%s", section)
	}
	if strings.Index(section, "Leuven") > strings.Index(section, "Aalst") {
		t.Errorf("Aalst (0.55) comes before Leuven (0.8):\n%s", section)
	}

	_, _, body = do(t, "GET", s.URL+page+"?lang=en", gov, "", nil)
	for _, want := range []string{"Who did this before?", `<a href="/cities/leuven">Leuven</a>`, `<a href="/cities/aalst">Aalst</a>`,
		"shared themes: climate-neutral city"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English page for government lacks %q", want)
		}
	}

	code, _, body := do(t, "GET", s.URL+"/calls/DIGITAL-2027-EDIH-02", officer, "", nil)
	if code != http.StatusOK || !strings.Contains(body, "Geen enkele gemeente deed al een gelijkaardig project.") {
		t.Errorf("a call without front-runners: %d, says nothing of it", code)
	}
}
