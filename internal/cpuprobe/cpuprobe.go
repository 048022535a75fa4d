// Package cpuprobe measures the CPU time a benchmark's real path takes: its
// own process's and PostgreSQL's. On a shared machine the wall time of a
// run moves with the neighbours' load, by a fifth from one run to the next;
// the CPU time it took moves far less, so two builds compare by it.
package cpuprobe

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Sample is the CPU time used so far by this process and by every
// PostgreSQL process on the machine (user and system time both).
type Sample struct {
	self     time.Duration
	postgres map[int]time.Duration // by process id; nil when none can be seen
}

// Take reads the CPU time used so far.
func Take() Sample {
	var s Sample
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	s.postgres = postgresCPU()
	return s
}

// Since returns the CPU time used since s: this process's and
// PostgreSQL's (0, false when PostgreSQL's processes cannot be seen).
// A PostgreSQL process started since counts whole; one that exited since
// takes what it used meanwhile with it, so the figure is for connections
// that live through the measurement, as a pool's do.
func (s Sample) Since() (self, postgres time.Duration, ok bool) {
	now := Take()
	for pid, t := range now.postgres {
		postgres += t - s.postgres[pid]
	}
	return now.self - s.self, postgres, s.postgres != nil && now.postgres != nil
}

// clockTick is the unit of /proc/[pid]/stat's times (USER_HZ, 100 on
// every Linux build that matters here).
const clockTick = 10 * time.Millisecond

// postgresCPU reads utime and stime of each process named postgres; nil
// when there is none to see (no /proc, or PostgreSQL on another machine or
// in a container of its own).
func postgresCPU() map[int]time.Duration {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil || len(stats) == 0 {
		return nil
	}
	out := map[int]time.Duration{}
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // it exited
		}
		// pid (comm) state ppid ...: comm may hold spaces, so fields
		// are counted after its closing parenthesis.
		line := string(b)
		open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
		if open < 0 || end < open || line[open+1:end] != "postgres" {
			continue
		}
		f := strings.Fields(line[end+1:])
		if len(f) < 13 {
			continue
		}
		// After comm: state(0) ppid(1) ... utime(11) stime(12).
		pid, err0 := strconv.Atoi(line[:open-1])
		u, err1 := strconv.ParseInt(f[11], 10, 64)
		st, err2 := strconv.ParseInt(f[12], 10, 64)
		if err0 != nil || err1 != nil || err2 != nil {
			continue
		}
		out[pid] = time.Duration(u+st) * clockTick
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Postgres tells whether s could see PostgreSQL's processes.
func (s Sample) Postgres() bool { return s.postgres != nil }
