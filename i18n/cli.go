package i18n

// cli are the texts of the command line's readable output (its flags,
// usage and errors are English, for whoever runs the server). Statuses and
// roles are the pages' keys, so the CLI and the pages say the same.
var cli = map[string]Text{
	"cli.plan.run":            {"Planning %d: %d voorstel(len), samen %.1f punten (%s)", "Plan run %d: %d bid(s), worth %.1f points together (%s)"},
	"cli.plan.bound":          {"; bovengrens %.1f, marge %.1f %%", "; upper bound %.1f, gap %.1f %%"},
	"cli.plan.searching":      {"zoeken (s)", "searching (s)"},
	"cli.plan.progress":       {"beste plan %.1f, bovengrens %.1f, marge %.1f %%", "best plan %.1f, upper bound %.1f, gap %.1f %%"},
	"cli.plan.no_bid":         {"Geen voorstel mogelijk: geen stad komt in aanmerking of heeft nog ruimte.", "No bid possible: no city is eligible or has room left."},
	"cli.plan.excluded":       {"  niet opgenomen: %s voor %s: %s\n", "  left out: %s for %s: %s\n"},
	"cli.plan.header":         {"Voorstel %d  %s  (keuze %d, %s, %.1f punten)\n", "Plan %d  %s  (choice %d, %s, %.1f points)\n"},
	"cli.plan.member":         {"  %s %s (match %.0f): %s; %d EU-projecten, %d getrokken; %d/%d voorstellen", "  %s %s (match %.0f): %s; %d EU projects, %d led; %d/%d bids"},
	"cli.plan.brings":         {"brengt ", "brings "},
	"cli.plan.brings_nothing": {"brengt geen eigen thema van de oproep", "brings none of the call's themes of its own"},
	"cli.plan.answer":         {"; antwoord: %s", "; answer: %s"},
	"cli.plan.missing":        {"  ontbreekt: %s\n", "  missing: %s\n"},
	"cli.plan.met":            {"  in orde: %s\n", "  met: %s\n"},
	"cli.plan.foreign":        {"  mogelijke buitenlandse partners: %s\n", "  possible foreign partners: %s\n"},
	"cli.plan.list_header":    {"VOORSTEL\tOPROEP\tKEUZE\tSTATUS\tPUNTEN\tTREKKER\tSTEDEN", "PLAN\tCALL\tCHOICE\tSTATUS\tPOINTS\tLEAD\tCITIES"},
	"cli.plan.call_run":       {"Planning %d voor %s: %d voorstel(len), het beste eerst (%s)", "Plan run %d for %s: %d bid(s), best first (%s)"},
	"cli.plan.no_work":        {"Geen openstaande voorstellen.", "No open plans."},
	"cli.plan.accepted":       {"Voorstel %d aanvaard: voorstel %d in het overzicht van de aanvragen (gepland).\n", "Plan %d accepted: bid %d in the uptake record (planned).\n"},
	"cli.plan.rejected":       {"Voorstel %d verworpen.\n", "Plan %d rejected.\n"},
}
