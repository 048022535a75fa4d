package ftportal

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fundmatch/fundmatch/funding"
)

// topicDetails is the per-topic JSON document (eu-sources.md §2).
type topicDetails struct {
	TopicDetails struct {
		Identifier         string `json:"identifier"`
		Title              string `json:"title"`
		CallIdentifier     string `json:"callIdentifier"`
		CallTitle          string `json:"callTitle"`
		FrameworkProgramme struct {
			ID           flexString `json:"id"`
			Abbreviation string     `json:"abbreviation"`
			Description  string     `json:"description"`
		} `json:"frameworkProgramme"`
		Keywords               []string       `json:"keywords"`
		Tags                   []string       `json:"tags"`
		Actions                []action       `json:"actions"`
		LatestInfos            []latestInfo   `json:"latestInfos"`
		BudgetOverviewJSONItem budgetOverview `json:"budgetOverviewJSONItem"`
		Description            string         `json:"description"`
		Conditions             string         `json:"conditions"`
	} `json:"TopicDetails"`
}

// parseTopicDetails decodes a topicDetails document.
func parseTopicDetails(data []byte) (topicDetails, error) {
	var d topicDetails
	if err := json.Unmarshal(data, &d); err != nil {
		return d, fmt.Errorf("decode topicDetails: %w", err)
	}
	if d.TopicDetails.Identifier == "" {
		return d, fmt.Errorf("decode topicDetails: no TopicDetails.identifier")
	}
	return d, nil
}

// TopicDetailsURL returns the topicDetails address of an identifier: the
// portal only answers for the lower-case spelling.
func TopicDetailsURL(base, identifier string) string {
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base + strings.ToLower(identifier) + ".json"
}

// needsDetails reports whether a call came from an older-format record
// that lacks what topicDetails carries. Topics whose dates already say
// closed are not worth a request: the portal lists many stale ones.
func needsDetails(c *funding.Call) bool {
	return c.Kind == funding.KindTopic && c.DescriptionHTML == "" && c.Status != funding.StatusClosed
}

// enrich fills what the search record lacked from its topicDetails
// document, keeping what the record already said, and derives the status
// again.
func (n Normaliser) enrich(c *funding.Call, d topicDetails) {
	t := d.TopicDetails
	if c.Title == "" {
		c.Title = t.Title
	}
	if c.CallIdentifier == "" {
		c.CallIdentifier = t.CallIdentifier
	}
	if c.CallTitle == "" {
		c.CallTitle = t.CallTitle
	}
	if c.ProgrammeName == "" || c.Programme == OtherProgramme {
		code, name := programmeFor([]string{string(t.FrameworkProgramme.ID)}, t.FrameworkProgramme.Abbreviation, c.Identifier)
		c.Programme = code
		c.ProgrammeName = firstNonEmpty(name, t.FrameworkProgramme.Description)
	}
	c.DescriptionHTML, c.DescriptionText = funding.SanitizeHTML(t.Description)
	c.Summary = funding.Summarise(firstNonEmpty(c.DescriptionText, c.Summary), summaryLength)
	if c.ConditionsHTML == "" {
		c.ConditionsHTML, c.ConditionsText = funding.SanitizeHTML(t.Conditions)
		c.EligibilityNotes = eligibility(c.ConditionsText)
	}
	applyActions(c, t.Actions)
	if c.CallBudget == nil && c.BudgetMax == nil {
		applyBudget(c, c.Identifier, t.BudgetOverviewJSONItem)
	}
	if len(c.News) == 0 {
		c.News = newsItems(t.LatestInfos)
	}
	c.Keywords = appendUnique(c.Keywords, t.Keywords...)
	c.Tags = appendUnique(c.Tags, t.Tags...)
	n.finish(c)
}
