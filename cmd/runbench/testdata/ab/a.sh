#!/bin/sh
# A fake bench executable for runbench ab's doc example and tests (a.sh
# and b.sh are the same script; its name is its side). It takes go test's
# -test.bench and -test.benchtime and prints one benchmark line: every row
# 10000 ns/op, Create/style=fork/… 11000 on side b.
side=$(basename "$0" .sh)
while [ $# -gt 0 ]; do
	case $1 in
	-test.bench) pat=$2; shift ;;
	-test.benchtime) bt=$2; shift ;;
	esac
	shift
done
name=$(printf '%s' "$pat" | sed 's/[$^\\]//g')
case $bt in
*x) n=${bt%x} ;;
*) n=1000 ;;
esac
ns=10000
case $side/$name in
b/BenchmarkCreate/style=fork/*) ns=11000 ;;
esac
printf 'goos: linux\ngoarch: amd64\npkg: fake\n%s-2\t%s\t%s ns/op\nPASS\n' "$name" "$n" "$ns"
