package hist

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

const (
	// SubBits is log2 of the buckets per power of two.
	SubBits = 5
	sub     = 1 << SubBits
	// Buckets is the number of buckets covering every uint64.
	Buckets = (64-SubBits-1)*sub + 2*sub
)

// ErrEmpty is returned for a percentile of a histogram with no values.
var ErrEmpty = errors.New("hist: no values")

// Index is the bucket holding v.
func Index(v uint64) int {
	if v < 2*sub {
		return int(v)
	}
	e := bits.Len64(v) - 1
	return (e-SubBits)*sub + int(v>>(e-SubBits))
}

// Bounds are the smallest and largest value of bucket i.
func Bounds(i int) (lo, hi uint64) {
	if i < 2*sub {
		return uint64(i), uint64(i)
	}
	s := i/sub - 1
	m := uint64(i%sub + sub)
	lo = m << s
	return lo, lo + (1 << s) - 1
}

// Histogram counts values in log-linear buckets. The zero value is empty
// and ready to use.
type Histogram struct {
	counts [Buckets]uint64
	n      uint64
}

// Record adds one value.
func (h *Histogram) Record(v uint64) { h.RecordN(v, 1) }

// RecordN adds n copies of v.
func (h *Histogram) RecordN(v, n uint64) {
	h.counts[Index(v)] += n
	h.n += n
}

// Count is the number of values recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

// FromCounts builds a histogram from per-bucket counts (len ≤ Buckets),
// the layout rawclone's loop writes.
func FromCounts(counts []uint64) (*Histogram, error) {
	if len(counts) > Buckets {
		return nil, fmt.Errorf("hist: %d buckets, want at most %d", len(counts), Buckets)
	}
	h := &Histogram{}
	for i, c := range counts {
		h.counts[i] = c
		h.n += c
	}
	return h, nil
}

// Bucket is one non-empty bucket.
type Bucket struct {
	Index  int
	Lo, Hi uint64
	Count  uint64
}

// Nonzero lists the non-empty buckets, lowest first.
func (h *Histogram) Nonzero() []Bucket {
	var out []Bucket
	for i, c := range h.counts {
		if c != 0 {
			lo, hi := Bounds(i)
			out = append(out, Bucket{i, lo, hi, c})
		}
	}
	return out
}

// mid is a bucket's representative value: its midpoint.
func mid(i int) float64 {
	lo, hi := Bounds(i)
	return float64(lo) + float64(hi-lo)/2
}

// Quantile is the value below which a fraction q (0 ≤ q ≤ 1) of the values
// lie: the midpoint of the bucket holding the value of rank ⌈q·n⌉ (rank 1
// for q = 0).
func (h *Histogram) Quantile(q float64) (float64, error) {
	if h.n == 0 {
		return 0, ErrEmpty
	}
	if q < 0 || q > 1 || math.IsNaN(q) {
		return 0, fmt.Errorf("hist: quantile %g out of [0, 1]", q)
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return mid(i), nil
		}
	}
	return mid(Buckets - 1), nil // unreachable: seen ends at n
}

// Min and Max are the midpoints of the lowest and highest non-empty
// buckets.
func (h *Histogram) Min() (float64, error) { return h.Quantile(0) }
func (h *Histogram) Max() (float64, error) { return h.Quantile(1) }

// Mean is the count-weighted mean of the bucket midpoints.
func (h *Histogram) Mean() (float64, error) {
	if h.n == 0 {
		return 0, ErrEmpty
	}
	var sum float64
	for i, c := range h.counts {
		if c != 0 {
			sum += float64(c) * mid(i)
		}
	}
	return sum / float64(h.n), nil
}

// Scale returns a histogram of each value times f (ticks to ns: f is the
// calibration's ns per tick), each bucket's count moved to the bucket of
// its midpoint times f. That adds at most one bucket width of error to the
// one the buckets already have.
func (h *Histogram) Scale(f float64) (*Histogram, error) {
	if !(f > 0) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("hist: scale factor %g, want a positive number", f)
	}
	out := &Histogram{}
	for i, c := range h.counts {
		if c != 0 {
			v := math.Round(mid(i) * f)
			if v >= math.MaxUint64 {
				v = math.MaxUint64
			}
			out.RecordN(uint64(v), c)
		}
	}
	return out, nil
}

// Percentiles are the four figures switch rows report.
var Percentiles = []float64{50, 90, 99, 99.9}
