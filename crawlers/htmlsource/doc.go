// Package htmlsource is the one configurable HTML crawler for funding
// sources that publish web pages only (Flemish ERDF, European Urban
// Initiative, Interreg): a Config, stored as JSON by the integrator, names
// the list pages and the CSS selectors of each field, and Crawl turns the
// pages into normalised Calls with gocolly/colly.
package htmlsource
