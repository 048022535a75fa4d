package store

import (
	"slices"

	"github.com/lib/pq"

	"github.com/fundmatch/fundmatch/funding"
)

// The typed values of the stored rows that have a fixed set of states (a
// call's own values, its Status and Eligibility, live in funding). Each is
// a named string whose constants are the values the table's CHECK allows,
// with a Valid method and a Parse function that the edges (web forms and
// queries, JSON bodies, CLI flags) call; a wrong value is a
// *funding.ValueError that names the field and the allowed values.
// Notification delivery states (pending, sending, sent, failed, skipped) are
// read and written only by SQL here, so they have no Go type.

// textArray passes typed values to a text[] parameter; nil stays nil.
func textArray[T ~string](vs []T) pq.StringArray {
	if vs == nil {
		return nil
	}
	out := make(pq.StringArray, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Role is what a user may see and do.
type Role string

// The roles a user can have (users.role).
const (
	RoleOfficer     Role = "officer"     // works for one or more cities
	RoleCoordinator Role = "coordinator" // coordinates a set of cities
	RoleGovernment  Role = "government"  // reads everything, changes nothing
	RoleAdmin       Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleOfficer, RoleCoordinator, RoleGovernment, RoleAdmin}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ParseRole reads a role; anything else is a *funding.ValueError.
func ParseRole(s string) (Role, error) { return funding.ParseValue("role", s, Roles) }

// Event is what a notification reports.
type Event string

// The events a notification reports (notifications.event).
const (
	EventNewMatch           Event = "new_match"
	EventCallChanged        Event = "call_changed"
	EventDeadlineReminder   Event = "deadline_reminder"
	EventInvitation         Event = "consortium_invitation"
	EventDailyDigest        Event = "daily_digest"
	EventWeeklyDigest       Event = "weekly_digest"
	EventSubscriptionBroken Event = "subscription_broken"
)

// Events lists every event.
var Events = []Event{EventNewMatch, EventCallChanged, EventDeadlineReminder, EventInvitation,
	EventDailyDigest, EventWeeklyDigest, EventSubscriptionBroken}

// Valid reports whether e is one of Events.
func (e Event) Valid() bool { return slices.Contains(Events, e) }

// ParseEvent reads an event; anything else is a *funding.ValueError.
func ParseEvent(s string) (Event, error) { return funding.ParseValue("event", s, Events) }

// Channel is how a subscription delivers.
type Channel string

// The delivery channels (subscriptions.channel).
const (
	ChannelEmail        Channel = "email"
	ChannelSlackWebhook Channel = "slack_webhook" // a Slack incoming webhook URL
	ChannelSlackBot     Channel = "slack_bot"     // a Slack bot token and a channel
)

// Channels lists every channel.
var Channels = []Channel{ChannelEmail, ChannelSlackWebhook, ChannelSlackBot}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// ParseChannel reads a channel; anything else is a *funding.ValueError.
func ParseChannel(s string) (Channel, error) { return funding.ParseValue("channel", s, Channels) }

// SubscriptionStatus is whether a subscription delivers.
type SubscriptionStatus string

// The states of a subscription (subscriptions.status).
const (
	SubscriptionActive       SubscriptionStatus = "active"
	SubscriptionPaused       SubscriptionStatus = "paused"       // by its owner, until resumed
	SubscriptionBroken       SubscriptionStatus = "broken"       // the channel refused for good
	SubscriptionUnsubscribed SubscriptionStatus = "unsubscribed" // by the one-click link
)

// SubscriptionStatuses lists every state of a subscription.
var SubscriptionStatuses = []SubscriptionStatus{SubscriptionActive, SubscriptionPaused, SubscriptionBroken, SubscriptionUnsubscribed}

// Valid reports whether s is one of SubscriptionStatuses.
func (s SubscriptionStatus) Valid() bool { return slices.Contains(SubscriptionStatuses, s) }

// ParseSubscriptionStatus reads a subscription's state; anything else is a
// *funding.ValueError.
func ParseSubscriptionStatus(s string) (SubscriptionStatus, error) {
	return funding.ParseValue("status", s, SubscriptionStatuses)
}

// CrawlStatus is how a crawl run went.
type CrawlStatus string

// The states of a crawl run (crawl_runs.status); see RunStatus.
const (
	CrawlRunning CrawlStatus = "running"
	CrawlOK      CrawlStatus = "ok"
	CrawlPartial CrawlStatus = "partial"
	CrawlFailed  CrawlStatus = "failed"
)

// CrawlStatuses lists every state of a crawl run.
var CrawlStatuses = []CrawlStatus{CrawlRunning, CrawlOK, CrawlPartial, CrawlFailed}

// Valid reports whether s is one of CrawlStatuses.
func (s CrawlStatus) Valid() bool { return slices.Contains(CrawlStatuses, s) }

// ParseCrawlStatus reads a crawl run's state; anything else is a
// *funding.ValueError.
func ParseCrawlStatus(s string) (CrawlStatus, error) {
	return funding.ParseValue("status", s, CrawlStatuses)
}

// PlanStatus is the coordinator's decision on a consortium plan.
type PlanStatus string

// The states of a consortium plan (consortium_plans.status).
const (
	PlanProposed PlanStatus = "proposed"
	PlanAccepted PlanStatus = "accepted"
	PlanRejected PlanStatus = "rejected"
	// PlanSuperseded is a proposal a later planner run replaced: the later
	// run proposed plans for the same call with one of its cities.
	PlanSuperseded PlanStatus = "superseded"
)

// PlanStatuses lists every state of a plan.
var PlanStatuses = []PlanStatus{PlanProposed, PlanAccepted, PlanRejected, PlanSuperseded}

// Valid reports whether s is one of PlanStatuses.
func (s PlanStatus) Valid() bool { return slices.Contains(PlanStatuses, s) }

// ParsePlanStatus reads a plan's state; anything else is a
// *funding.ValueError.
func ParsePlanStatus(s string) (PlanStatus, error) {
	return funding.ParseValue("status", s, PlanStatuses)
}

// Response is a member city's answer to an accepted plan.
type Response string

// The answers of a plan's member (consortium_members.response).
const (
	ResponsePending   Response = "pending"
	ResponseConfirmed Response = "confirmed"
	ResponseDeclined  Response = "declined"
)

// Responses lists every answer.
var Responses = []Response{ResponsePending, ResponseConfirmed, ResponseDeclined}

// Valid reports whether r is one of Responses.
func (r Response) Valid() bool { return slices.Contains(Responses, r) }

// ParseResponse reads a member's answer; anything else is a
// *funding.ValueError.
func ParseResponse(s string) (Response, error) { return funding.ParseValue("response", s, Responses) }

// BidStatus is where a bid stands in the uptake record.
type BidStatus string

// The states of a bid (bids.status).
const (
	BidPlanned   BidStatus = "planned"
	BidSubmitted BidStatus = "submitted"
	BidWon       BidStatus = "won"
	BidLost      BidStatus = "lost"
	BidWithdrawn BidStatus = "withdrawn"
)

// BidStatuses lists every state of a bid.
var BidStatuses = []BidStatus{BidPlanned, BidSubmitted, BidWon, BidLost, BidWithdrawn}

// Valid reports whether s is one of BidStatuses.
func (s BidStatus) Valid() bool { return slices.Contains(BidStatuses, s) }

// ParseBidStatus reads a bid's state; anything else is a
// *funding.ValueError.
func ParseBidStatus(s string) (BidStatus, error) { return funding.ParseValue("status", s, BidStatuses) }

// InterestStatus is the mark a city's officer sets on a call.
type InterestStatus string

// The marks on a call (call_interests.status). Submitted, won and lost are
// also the bid's status in the uptake record (see SetInterest).
const (
	Interested        InterestStatus = "interested"
	NotRelevant       InterestStatus = "not_relevant"
	Applying          InterestStatus = "applying"
	InterestSubmitted InterestStatus = "submitted"
	InterestWon       InterestStatus = "won"
	InterestLost      InterestStatus = "lost"
)

// InterestStatuses lists every mark, in the order pages offer them.
var InterestStatuses = []InterestStatus{Interested, NotRelevant, Applying, InterestSubmitted, InterestWon, InterestLost}

// Valid reports whether s is one of InterestStatuses.
func (s InterestStatus) Valid() bool { return slices.Contains(InterestStatuses, s) }

// ParseInterestStatus reads a mark; anything else is a *funding.ValueError.
func ParseInterestStatus(s string) (InterestStatus, error) {
	return funding.ParseValue("status", s, InterestStatuses)
}

// Verdict is an admin's decision on a participant name of the EU history
// sources.
type Verdict string

// The verdicts (entity_decisions.verdict).
const (
	VerdictConfirmed Verdict = "confirmed" // the name is the city (or its body) given
	VerdictRejected  Verdict = "rejected"  // the name is no Flemish municipality
)

// Verdicts lists every verdict.
var Verdicts = []Verdict{VerdictConfirmed, VerdictRejected}

// Valid reports whether v is one of Verdicts.
func (v Verdict) Valid() bool { return slices.Contains(Verdicts, v) }

// ParseVerdict reads a verdict; anything else is a *funding.ValueError.
func ParseVerdict(s string) (Verdict, error) { return funding.ParseValue("verdict", s, Verdicts) }

// ReviewStatus is where an uncertain participant name stands on the review
// list: pending until an admin gives a verdict.
type ReviewStatus string

// The states of a review entry (entity_reviews.status).
const (
	ReviewPending   ReviewStatus = "pending"
	ReviewConfirmed ReviewStatus = ReviewStatus(VerdictConfirmed)
	ReviewRejected  ReviewStatus = ReviewStatus(VerdictRejected)
)

// ReviewStatuses lists every state of a review entry.
var ReviewStatuses = []ReviewStatus{ReviewPending, ReviewConfirmed, ReviewRejected}

// Valid reports whether s is one of ReviewStatuses.
func (s ReviewStatus) Valid() bool { return slices.Contains(ReviewStatuses, s) }

// ParseReviewStatus reads a review entry's state; anything else is a
// *funding.ValueError.
func ParseReviewStatus(s string) (ReviewStatus, error) {
	return funding.ParseValue("status", s, ReviewStatuses)
}
