// Package metrics holds fundmatch's Prometheus metrics, in a registry of its
// own (not the global default), served at /metrics.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the counters and histograms every part of fundmatch reports to.
type Metrics struct {
	Registry      *prometheus.Registry
	HTTPRequests  *prometheus.CounterVec   // by route pattern, method and status code
	HTTPDuration  *prometheus.HistogramVec // by route pattern
	Tasks         *prometheus.CounterVec   // by task type and outcome
	TaskDuration  *prometheus.HistogramVec // by task type
	TasksEnqueued *prometheus.CounterVec   // by task type and outcome (enqueued, duplicate, failed)
}

// New returns the metrics, registered with a new registry together with the
// Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fundmatch_http_requests_total", Help: "HTTP requests served, by route, method and status code.",
		}, []string{"route", "method", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "fundmatch_http_request_duration_seconds", Help: "Time to serve an HTTP request, by route.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		Tasks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fundmatch_tasks_processed_total", Help: "Background tasks processed, by type and outcome.",
		}, []string{"type", "outcome"}),
		TaskDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "fundmatch_task_duration_seconds", Help: "Time to process a background task, by type.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 10),
		}, []string{"type"}),
		TasksEnqueued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fundmatch_tasks_enqueued_total", Help: "Tasks the scheduler offered to the queue, by type and outcome.",
		}, []string{"type", "outcome"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.HTTPRequests, m.HTTPDuration, m.Tasks, m.TaskDuration, m.TasksEnqueued,
	)
	return m
}
