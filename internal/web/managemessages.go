package web

// manageMessages are the texts of managing alerts and users on the web and
// of the one-time sign-in link, Dutch and English; they join messages at
// start-up.
var manageMessages = map[string][2]string{
	"cancel":                {"Annuleren", "Cancel"},
	"form_errors":           {"Kijk de gemarkeerde velden na; er is nog niets bewaard.", "Check the marked fields; nothing was saved yet."},
	"sub_add":               {"Abonnement toevoegen", "Add a subscription"},
	"sub_edit":              {"Wijzigen", "Edit"},
	"sub_edit_heading":      {"Abonnement wijzigen", "Edit the subscription"},
	"sub_pause":             {"Pauzeren", "Pause"},
	"sub_resume":            {"Hervatten", "Resume"},
	"sub_paused":            {"gepauzeerd", "paused"},
	"sub_test":              {"Testbericht sturen", "Send a test message"},
	"sub_test_sent":         {"Testbericht verstuurd naar %s.", "Test message sent to %s."},
	"sub_test_failed":       {"Het testbericht kon niet worden verstuurd (%s). Kijk het adres, de webhook of het kanaal na.", "The test message could not be sent (%s). Check the address, webhook or channel."},
	"sub_test_wait":         {"Er ging net een testbericht uit voor dit abonnement; probeer het over een minuut opnieuw.", "A test message for this subscription went out just now; try again in a minute."},
	"sub_test_unavailable":  {"Deze server kan via dit kanaal geen berichten sturen.", "This server cannot send messages through this channel."},
	"sub_channel":           {"Hoe wil je de meldingen krijgen?", "How do you want to receive alerts?"},
	"channel_email":         {"E-mail", "Email"},
	"channel_slack_webhook": {"Slack (inkomende webhook)", "Slack (incoming webhook)"},
	"channel_slack_bot":     {"Slack (bot-token en kanaal)", "Slack (bot token and channel)"},
	"sub_email":             {"E-mailadres voor de meldingen (bij e-mail)", "Email address for the alerts (for email)"},
	"sub_webhook":           {"Webhook-URL van Slack (bij een webhook)", "Slack webhook URL (for a webhook)"},
	"sub_token":             {"Bot-token van Slack (bij een bot)", "Slack bot token (for a bot)"},
	"sub_slack_channel":     {"Slack-kanaal (bij een bot), bv. #subsidies", "Slack channel (for a bot), e.g. #subsidies"},
	"sub_secret_kept":       {"Leeg laten om de huidige te houden; die wordt nooit getoond.", "Leave empty to keep the current one; it is never shown."},
	"sub_language":          {"Taal van de meldingen", "Language of the alerts"},
	"err_sub_channel":       {"Kies e-mail, een Slack-webhook of een Slack-bot.", "Choose email, a Slack webhook or a Slack bot."},
	"err_sub_email":         {"Vul een geldig e-mailadres in, bv. naam@gent.be.", "Enter a valid email address, e.g. name@gent.be."},
	"err_sub_webhook":       {"Plak de volledige webhook-URL uit Slack (https://hooks.slack.com/services/…).", "Paste the whole webhook URL from Slack (https://hooks.slack.com/services/…)."},
	"err_sub_slack_token":   {"Vul het bot-token van Slack in (xoxb-…), zonder spaties.", "Enter the Slack bot token (xoxb-…), without spaces."},
	"err_sub_slack_channel": {"Vul het Slack-kanaal in, bv. #subsidies.", "Enter the Slack channel, e.g. #subsidies."},
	"err_sub_cities":        {"Kies minstens één stad.", "Choose at least one city."},
	"err_sub_city":          {"Je kan alleen steden kiezen waarvoor je werkt.", "You can only choose cities you work for."},
	"err_sub_min_score":     {"De minimumscore is een geheel getal van 0 tot 100.", "The minimum score is a whole number from 0 to 100."},
	"err_sub_frequency":     {"Kies meteen, dagelijks of wekelijks.", "Choose instantly, daily or weekly."},
	"err_sub_language":      {"Kies Nederlands of Engels.", "Choose Dutch or English."},

	"welcome_heading":       {"Welkom bij fundmatch", "Welcome to fundmatch"},
	"welcome_intro":         {"Kies een wachtwoord voor %s. Daarna ben je aangemeld.", "Choose a password for %s. You are signed in afterwards."},
	"welcome_button":        {"Wachtwoord bewaren en aanmelden", "Save the password and sign in"},
	"welcome_invalid":       {"Deze link werkt niet (meer): hij is al gebruikt, ouder dan 24 uur of onvolledig. Vraag een beheerder om een nieuwe; voor de eerste beheerder drukt een herstart van fundmatch een nieuwe af.", "This link does not work (any more): it was used, is older than 24 hours or is incomplete. Ask an admin for a new one; for the first admin, restarting fundmatch prints a new one."},
	"password_new":          {"Nieuw wachtwoord", "New password"},
	"password_repeat":       {"Herhaal het wachtwoord", "Repeat the password"},
	"password_rules":        {"Minstens 12 tekens (spaties ervoor en erna tellen niet mee) en geen veelgebruikt wachtwoord.", "At least 12 characters (blanks around it do not count) and not a common password."},
	"err_password_short":    {"Dit wachtwoord is te kort: gebruik minstens 12 tekens.", "This password is too short: use at least 12 characters."},
	"err_password_common":   {"Dit wachtwoord is te bekend (of gemaakt van een bekend wachtwoord); kies een ander.", "This password is too common (or built from a common one); choose another."},
	"err_password_long":     {"Dit wachtwoord is te lang: hoogstens 1024 tekens.", "This password is too long: at most 1024 characters."},
	"err_password_mismatch": {"De twee wachtwoorden zijn niet gelijk.", "The two passwords differ."},

	"user_add":               {"Gebruiker toevoegen", "Add a user"},
	"user_cities":            {"Steden (nodig voor een ambtenaar of coördinator)", "Cities (needed for an officer or coordinator)"},
	"user_access":            {"Hoe meldt de gebruiker zich de eerste keer aan?", "How does the user sign in the first time?"},
	"user_access_invite":     {"Met een uitnodigingslink (één keer te gebruiken, 24 uur geldig) waarmee de gebruiker zelf een wachtwoord kiest", "With an invitation link (works once, for 24 hours) with which the user chooses a password"},
	"user_access_password":   {"Met een beginwachtwoord dat je hieronder invult", "With a first password you enter below"},
	"user_password":          {"Beginwachtwoord (alleen bij een beginwachtwoord)", "First password (only with a first password)"},
	"user_invite_link":       {"%s is toegevoegd. Geef deze uitnodigingslink door; hij wordt maar één keer getoond, werkt één keer en is 24 uur geldig:", "%s was added. Pass on this invitation link; it is shown only once, works once and is valid for 24 hours:"},
	"user_invite_link_label": {"Uitnodigingslink", "Invitation link"},
	"user_change_access":     {"Rol en steden", "Role and cities"},
	"err_user_role":          {"Kies een rol.", "Choose a role."},
	"err_user_city":          {"Kies alleen steden uit de lijst.", "Choose only cities from the list."},
	"err_user_cities":        {"Een ambtenaar of coördinator heeft minstens één stad nodig.", "An officer or coordinator needs at least one city."},
	"err_user_access":        {"Kies een uitnodigingslink of een beginwachtwoord.", "Choose an invitation link or a first password."},
	"err_user_email_taken":   {"Er is al een gebruiker met dit e-mailadres.", "A user with this email address exists already."},
	"err_user_own_role":      {"Je kan je eigen rol niet wijzigen; laat een andere beheerder dat doen.", "You cannot change your own role; ask another admin."},
}

func init() {
	for key, texts := range manageMessages {
		messages["nl"][key] = texts[0]
		messages["en"][key] = texts[1]
	}
}
