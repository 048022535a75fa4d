// Package memprobe measures peak memory in benchmarks whose goal is memory
// that stays flat whatever the input size.
package memprobe

import (
	"runtime"
	"sync"
	"time"
)

// Peak samples the heap every 20 ms until stop is closed; the functions it
// returns give the highest HeapInuse and Sys seen so far, in MB.
func Peak(stop <-chan struct{}) (heap, sys func() float64) {
	var mu sync.Mutex
	var maxHeap, maxSys uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		maxHeap, maxSys = max(maxHeap, m.HeapInuse), max(maxSys, m.Sys)
		mu.Unlock()
	}
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	mb := func(v *uint64) func() float64 {
		return func() float64 {
			sample()
			mu.Lock()
			defer mu.Unlock()
			return float64(*v) / (1 << 20)
		}
	}
	return mb(&maxHeap), mb(&maxSys)
}
