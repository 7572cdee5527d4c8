#!/bin/sh
# screens.sh ABA - the console's screens 4-9 through scripted keys: an
# adjustment requested on the card screen, refused to its own maker,
# approved by another user and seen on the card; a rejection that needs a
# note; membership with an override requested; the simulator on a fixed
# cart and draft programs; the audit chain verified, then shown broken
# after a superuser changes a row; a report run and exported; and a
# valgrind-clean session over the new screens.
. "$(dirname "$0")/lib.sh"

make_db t_screens
make_login t_clerk aba_clerk
make_login t_appr aba_approver
make_login t_aud aba_auditor
make_login t_pos aba_pos
make_superuser t_ops
abadb() {
	"$aba" --db "$conninfo" --user t_ops "$@"
}
abadb level set SILVER --name Silver --sequence 10 --threshold 0 --window 365 >/dev/null
abadb level set GOLD --name Gold --sequence 20 --multiplier 1.5 --threshold 1000000 --window 365 >/dev/null
pos() {
	"$aba" --db "$conninfo" --user t_pos "$@"
}
pos card create C100 --name "Ani Lestari" --phone "+62811111" >/dev/null
pos card create C200 --name "Budi Santoso" --phone "+62822222" >/dev/null
abadb points earn C100 200 --key e1 >/dev/null
abadb points earn C200 80 --key e2 >/dev/null
data=$here/data


# ---- 4. the adjustment form, on the card screen of the clerk ----
start_console t_clerk C100
expect_text "balance 200.00" "card: balance before the request"
key a
type_text "-500"
expect_text "more than the balance 200.00" "form: a debit beyond the balance is refused as typed"
key C-u
type_text "50"
expect_text "balance before 200.00   after 250.00 (once approved)" "form: balance before and after"
key Down Down
type_text "receipt lost"
expect_screen adjust-form
key Down Enter
expect_text "request 1 is pending: an approver other than you decides" "form: submitted, pending"
expect_text "balance 200.00" "card: unchanged while pending"

# ---- 5. approvals: own request refused on screen ----
key 3
expect_text "1 pending" "approvals: the queue"
key a
expect_text "request 1 is your own: another approver must decide it" "approvals: self-approval refused on screen"
expect_screen approvals-own
tmux -L "$sock" resize-window -x 80 -y 24
keys=$((keys + 1))
wait_idle
expect_screen approvals-80x24
quit_console

# A request the approver made: also refused on the approver's screen.
"$aba" --db "$conninfo" --user t_appr adjust request C200 10 --reason GOODWILL --note mine >/dev/null
"$aba" --db "$conninfo" --user t_clerk adjust request C200 -5 --reason FRAUD --note suspicious >/dev/null
start_console t_appr
key 3
expect_text "3 pending" "approvals: three requests wait"
key Down a
expect_text "request 2 is your own: another approver must decide it" "approver: own request refused"
key Down x Enter
expect_text "a rejection needs a note: say why" "reject: a note is required"
type_text "no evidence"
key Enter
expect_text "request 3 rejected" "reject: with a note"
key g a Enter
expect_text "request 1 approved: card 'C100' balance 250.00" "approve: the points move at once"
expect_text "1 pending" "approvals: the queue shrinks"
key :
type_text "card C100"
key Enter
expect_text "balance 250.00" "card: the approved adjustment is in the balance"
expect_screen card-approved
quit_console

# The clerk sees it too, on their own card screen.
start_console t_clerk C100
expect_text "balance 250.00" "clerk: the balance changed after another user approved"
expect_text "adjust        +50.00       250.00" "clerk: the adjustment in the history"

# ---- 6. membership: an override requested from the card ----
key o Right Down
type_text "2099-12-31"
key Down Down
type_text "event"
key Down Enter
expect_text "is pending: an approver other than you decides" "override: requested"
key 4
expect_screen members
quit_console

# ---- 7. the simulator on a fixed cart ----
start_console t_clerk
key 5 Tab :
type_text "programs $data/programs.json"
key Enter :
type_text "load $data/cart.json"
key Enter
expect_text "total 150,000.00 - 15,000.00 = 135,000.00   points to earn 135.00" "simulator: totals and points"
expect_screen simulate
tmux -L "$sock" resize-window -x 80 -y 24
keys=$((keys + 1))
wait_idle
expect_screen simulate-80x24
tmux -L "$sock" resize-window -x 100 -y 30
keys=$((keys + 1))
wait_idle
key Tab Tab Down Down Down Down
type_text "SKU-3 1 5000"
key Enter
expect_text "total 155,000.00 - 15,500.00 = 139,500.00   points to earn 139.50" "simulator: a line added"
key Up Up
type_text "PROMO5"
expect_text "total 155,000.00 - 20,500.00 = 134,500.00" "simulator: a code adds its program"
key Tab :
type_text "save $work/saved.json"
key Enter
if [ "$(jq -c '[.codes, (.lines | length), .lines[2].unit_price]' "$work/saved.json" 2>/dev/null)" = '[["PROMO5"],3,"5000.00"]' ]; then
	ok "simulator: the cart saved as JSON"
else
	not_ok "simulator: saved $(cat "$work/saved.json" 2>/dev/null)"
fi
quit_console

# ---- 8. audit: verify, then a tampered row ----
start_console t_aud
expect_text "audit chain               intact" "home: the auditor sees the chain intact"
key 6 v
expect_text "chain intact:" "audit: verify intact"
sql "ALTER TABLE aba.audit_log DISABLE TRIGGER audit_log_append_only;
     UPDATE aba.audit_log SET reason = 'changed' WHERE id = 2;
     ALTER TABLE aba.audit_log ENABLE TRIGGER audit_log_append_only" >/dev/null
key R v
expect_text "chain BROKEN at row 2" "audit: verify names the tampered row"
expect_screen audit-tampered
key 1
expect_text "BROKEN at row 2" "home: the chain's state"

# ---- 9. reports ----
key 7 Enter Down Down Enter
# C100: 200 never expiring + 50 adjusted (expires in a year); C200: 80.
expect_text "never                             280.00 ################" "report: liability by expiry, with bars"
expect_text "total                             330.00" "report: total liability"
key :
type_text "export $work/liability.csv"
key Enter
if head -1 "$work/liability.csv" 2>/dev/null | grep -q ','; then
	ok "report: exported as CSV"
else
	not_ok "report: no CSV written"
fi
quit_console

# ---- valgrind over the new screens ----
if command -v valgrind >/dev/null; then
	make_login t_all aba_approver
	make_login t_all aba_auditor
	valgrind_console t_all C100
	key a
	type_text "12"
	key Down Right Down Down Enter o Right Down
	type_text "2099-01-01"
	key Escape Tab 3 Down Enter q x
	type_text "no"
	key Escape 4 Tab Down 5 Tab :
	type_text "load $data/cart.json"
	key Enter :
	type_text "programs $data/programs.json"
	key Enter Tab Tab Down 6 Down v 7 Enter Down Enter Tab Down
	expect_valgrind_clean "valgrind: a session over the new screens is clean"
fi

finish
