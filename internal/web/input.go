package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/fundmatch/fundmatch/internal/store"
)

// maxValueLen bounds any one value of a query string or form; the fields
// that are stored have tighter bounds of their own (store's Max...).
const maxValueLen = 20_000

// maxFormBytes bounds a form body.
const maxFormBytes = 1 << 20

// checkInput refuses, with 400 and the field, a request whose path, query
// or form holds text PostgreSQL cannot store (a NUL, invalid UTF-8) or a
// value longer than maxValueLen, before any handler sees it: such input is
// the sender's error, never a 500.
func (s *Server) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := textOK("path", r.URL.Path); err != nil {
			s.badRequest(w, r, err)
			return
		}
		query, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.badRequest(w, r, badInput{"query", "not a valid query string"})
			return
		}
		if err := valuesOK(query); err != nil {
			s.badRequest(w, r, err)
			return
		}
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Body != nil && ct == "application/x-www-form-urlencoded" {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.badRequest(w, r, badInput{"body", "not a valid form of at most 1 MB"})
				return
			}
			if err := valuesOK(r.PostForm); err != nil {
				s.badRequest(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func valuesOK(vs url.Values) error {
	for field, values := range vs {
		if err := textOK("field name", field); err != nil {
			return err
		}
		for _, v := range values {
			if err := textOK(field, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// textOK checks one text value from a request.
func textOK(field, v string) error {
	switch {
	case !utf8.ValidString(v):
		return badInput{field, "not valid UTF-8 text"}
	case strings.ContainsRune(v, 0):
		return badInput{field, "contains a NUL character"}
	case len(v) > maxValueLen:
		return badInput{field, "too long"}
	}
	return nil
}

// stringsOK checks every string in a decoded JSON body (v is a pointer to
// a struct, map or slice), naming the JSON field of a bad one.
func stringsOK(v any) error {
	var check func(field string, v reflect.Value) error
	check = func(field string, v reflect.Value) error {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return nil
			}
			return check(field, v.Elem())
		case reflect.String:
			return textOK(field, v.String())
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				if err := check(field, v.Index(i)); err != nil {
					return err
				}
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				if err := check(field, it.Key()); err != nil {
					return err
				}
				if err := check(field, it.Value()); err != nil {
					return err
				}
			}
		case reflect.Struct:
			t := v.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "" {
					name = f.Name
				}
				if field != "" && !f.Anonymous {
					name = field + "." + name
				} else if f.Anonymous {
					name = field
				}
				if err := check(name, v.Field(i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return check("", reflect.ValueOf(v))
}

// badValue turns an error a store method refused a value with into the
// badInput it is for the sender, and reports whether it was one.
func badValue(err error) (badInput, bool) {
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		return badInput{ve.Field, ve.Reason}, true
	case store.IsBadValue(err):
		return badInput{"", "a value cannot be stored (out of range or not valid text)"}, true
	}
	return badInput{}, false
}
