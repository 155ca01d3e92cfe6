// Package chartkit is the drawing kit report's charts and history's trend
// charts share, so both draw alike: the Okabe–Ito palette, 95% confidence
// interval bars, and the PNG a chart becomes (a fixed DPI on white, so
// golden images do not depend on gonum's defaults) and how it is written
// (a temporary file and a rename).
//
// It holds no chart and knows no row: what a chart shows stays with
// report and history.
package chartkit
