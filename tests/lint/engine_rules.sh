#!/bin/sh
# The engine and reports never touch curses, and the engine never uses
# floating point: money and points are int64 hundredths.
top=$1
status=0
if grep -rnE '#include *[<"](n?curses|ncursesw?/)|\bWINDOW *\*|\bgetch\(' "$top/engine" "$top/reports"; then
	echo "engine/ or reports/ use curses" >&2
	status=1
fi
if grep -rnwE 'float|double' "$top/engine" --include='*.[ch]'; then
	echo "engine/ uses floating point" >&2
	status=1
fi
[ $status -eq 0 ] && echo "engine rules: 1 passed, 0 failed"
exit $status
