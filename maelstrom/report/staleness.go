package report

import (
	"strconv"

	"broadcast/maelstrom/checker"
	"broadcast/maelstrom/checker/staleness"
	"broadcast/maelstrom/quantile"
)

// stalenessRows adds the two staleness figures to the latency table: n is
// the number of acknowledged values they are over.
func stalenessRows(row func(cells ...string), b checker.Bench) {
	if b.Staleness == nil {
		return
	}
	for _, r := range []struct {
		name string
		f    staleness.Figure
	}{
		{"staleness while reachable", b.Staleness.Reachable},
		{"staleness after heal", b.Staleness.AfterHeal},
	} {
		cells := []string{r.name, itoa(r.f.Values)}
		for _, q := range quantile.Points {
			if v, ok := r.f.At(q); ok {
				cells = append(cells, strconv.FormatInt(v, 10))
			} else {
				cells = append(cells, "-")
			}
		}
		row(cells...)
	}
}
