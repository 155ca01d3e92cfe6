// Package texttab lays out plain-text tables as benchstat prints them:
// columns two spaces apart, each aligned left or right, widths counted in
// runes so "±" and "µ" line up.
package texttab

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Table is rows of cells.
type Table struct{ rows [][]string }

// Row adds a row.
func (t *Table) Row(cells ...string) { t.rows = append(t.rows, cells) }

// Write prints the table; align holds 'l' or 'r' per column.
func (t *Table) Write(w io.Writer, align string) {
	var width []int
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range t.rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(align) && align[i] == 'r' {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
