package euhistory

import (
	"strconv"
	"strings"
	"time"
)

// Country normalises a source's country to ISO 3166 alpha-2: the EU codes
// EL and UK become GR and GB, and the English country names keep.eu and
// Kohesio use (plus Dutch, French and German names of Belgium and its
// neighbours) become their codes. Anything else is returned upper-cased and
// trimmed.
func Country(s string) string {
	c := strings.ToUpper(strings.TrimSpace(s))
	switch c {
	case "EL":
		return "GR"
	case "UK":
		return "GB"
	}
	if code, ok := countryNames[c]; ok {
		return code
	}
	return c
}

// countryNames maps upper-cased country names to ISO codes.
var countryNames = map[string]string{
	"AUSTRIA": "AT", "BELGIUM": "BE", "BELGIË": "BE", "BELGIE": "BE", "BELGIQUE": "BE", "BELGIEN": "BE",
	"BULGARIA": "BG", "CROATIA": "HR", "CYPRUS": "CY", "CZECHIA": "CZ", "CZECH REPUBLIC": "CZ", "DENMARK": "DK",
	"ESTONIA": "EE", "FINLAND": "FI", "FRANCE": "FR", "FRANKRIJK": "FR", "GERMANY": "DE", "DUITSLAND": "DE",
	"DEUTSCHLAND": "DE", "ALLEMAGNE": "DE", "GREECE": "GR", "HUNGARY": "HU", "IRELAND": "IE", "ITALY": "IT",
	"LATVIA": "LV", "LITHUANIA": "LT", "LUXEMBOURG": "LU", "LUXEMBURG": "LU", "MALTA": "MT",
	"NETHERLANDS": "NL", "THE NETHERLANDS": "NL", "NEDERLAND": "NL", "PAYS-BAS": "NL", "POLAND": "PL",
	"PORTUGAL": "PT", "ROMANIA": "RO", "SLOVAKIA": "SK", "SLOVENIA": "SI", "SPAIN": "ES", "SWEDEN": "SE",
	"NORWAY": "NO", "ICELAND": "IS", "LIECHTENSTEIN": "LI", "SWITZERLAND": "CH", "UNITED KINGDOM": "GB",
	"UKRAINE": "UA", "MOLDOVA": "MD", "SERBIA": "RS", "ALBANIA": "AL", "MONTENEGRO": "ME",
	"NORTH MACEDONIA": "MK", "BOSNIA AND HERZEGOVINA": "BA", "KOSOVO": "XK", "TURKEY": "TR", "TÜRKIYE": "TR",
}

// Amount parses a euro amount written with either '.' or ',' as decimal
// separator (CORDIS mixes both in one file: "528340.97" and "960619,95").
// When both appear, the last one is the decimal separator and the other
// groups thousands. It returns nil for an empty field.
func Amount(s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0 && comma > dot:
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	case dot >= 0 && comma >= 0:
		s = strings.ReplaceAll(s, ",", "")
	case comma >= 0:
		s = strings.Replace(s, ",", ".", 1)
	case strings.Count(s, ".") > 1:
		s = strings.ReplaceAll(s, ".", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Date parses a calendar date in one of the sources' layouts (ISO
// "2006-01-02", Kohesio's "02/01/2006", CORDIS "2006-01-02 15:04:05"),
// returning nil for an empty field.
func Date(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var lastErr error
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2006-01-02 15:04:05", "2006-01-02T15:04:05Z07:00", "2/1/2006"} {
		t, err := time.Parse(layout, s)
		if err == nil {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return &d, nil
		}
		lastErr = err
	}
	return nil, lastErr
}
