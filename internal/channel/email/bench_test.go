package email_test

import (
	"path/filepath"
	"testing"

	"tessera/internal/channel/email"
)

// BenchmarkParse parses the fixtures in turn: messages per second of the
// parsing and folding alone.
func BenchmarkParse(b *testing.B) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		b.Fatal(files, err)
	}
	raws := make([][]byte, len(files))
	size := 0
	for i, f := range files {
		raws[i] = read(b, filepath.Base(f))
		size += len(raws[i])
	}
	b.SetBytes(int64(size / len(raws)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := email.Parse(raws[i%len(raws)], email.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
