#!/bin/sh
# report_top.sh ABA - the report screen's Top field takes 1..10000, as
# `aba report --top` does: a number out of range (4294967297 once ran the
# report with top 1, the int it was cut to) or not a number is an error
# on the status line and runs nothing; a good one runs.
. "$(dirname "$0")/lib.sh"

make_db t_report_top
make_login t_aud aba_auditor
make_superuser t_ops
ops() {
	"$aba" --db "$conninfo" --user t_ops "$@"
}
ops card create C100 --name "Ani Lestari" >/dev/null
ops card create C200 --name "Budi Santoso" >/dev/null
ops points earn C100 200 --key e1 --validity 20 >/dev/null
ops points earn C200 80 --key e2 --validity 40 >/dev/null

# top FIELD-TEXT WHAT: the expiring report's Top set to FIELD-TEXT, Run;
# the status line must refuse it.
top() {
	key C-u
	type_text "$1"
	key Down Enter
	expect_text "top '$1' is not a number from 1 to 10000" "$2"
	key Up
}

start_console t_aud
# 7: reports; the second is expiring (As of, Level, Top, Run)
key 7 Down Enter Down Down
top 4294967297 "top: 2^32 + 1 refused, not cut to 1"
top 10001 "top: one over the bound refused"
top 99999999999999999999 "top: beyond long refused"
top 5x "top: not a number refused"
top 0 "top: zero refused"
key C-u
type_text 10000
key Down Enter
expect_text "3 rows" "top: 10000 runs"
expect_text "C100" "top: the report's rows are shown"
quit_console
finish
