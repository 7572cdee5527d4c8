#!/bin/sh
# console.sh ABA - scripted keys through `aba console`, screens compared
# with expected/*.screen: Home, Cards (search as you type), Card, help,
# the command line, a resize, NO_COLOR, a lost connection, and the
# terminal restored after quit and after a crash.
. "$(dirname "$0")/lib.sh"

make_db t_console
make_login t_clerk aba_clerk
make_login t_pos aba_pos
make_superuser t_ops
abadb() {
	"$aba" --db "$conninfo" --user t_pos "$@"
}
ops() {
	"$aba" --db "$conninfo" --user t_ops "$@"
}
abadb card create C100 --name "Ani Lestari" --phone "+62811111" >/dev/null
abadb card create C200 --name "Budi Santoso" --phone "+62822222" >/dev/null
abadb card create C300 --name "Citra Lestari" --phone "+62833333" >/dev/null
ops points earn C100 150 --key e1 >/dev/null
ops points earn C100 50 --key e2 --validity 30 >/dev/null
ops points earn C200 1000 --key e3 >/dev/null
ops points redeem C100 30 --key r1 >/dev/null
# C100: 150 + 50 - 30 = 170, the 30 taken from the lot that expires (FEFO):
# lots 20.00 of 50.00 (expires in 30 days) and 150.00 (never).
# Liability 170 + 1000 = 1,170.00; today 4 postings, earned 1,200, redeemed 30.

start_console t_clerk
expect_screen home
expect_text "outstanding liability     1,170.00" "home: liability is the sum of balances"
expect_text "postings today            4 (earned 1,200.00, redeemed 30.00)" "home: today's postings"
expect_text "t_clerk (clerk)" "status line: user and role"

key 2
expect_text "3 cards" "cards: every card listed"
type_text "lest"
expect_screen cards-search
expect_text "2 cards" "cards: search as you type keeps the two Lestari"
key BSpace BSpace BSpace BSpace
type_text "22222"
expect_text "C200         Budi Santoso" "cards: search by phone"
key C-u
type_text "_"
expect_text "no card matches" "cards: _ is a character, not a LIKE wildcard"
key C-u
type_text "c1"
expect_text "C100         Ani Lestari" "cards: search by code, any case"
key Enter Up Down Enter
expect_screen card
expect_text "balance 170.00" "card: balance"
expect_text "20.00        50.00" "card: the expiring lot first, partly spent (FEFO)"

key v
expect_text "card 'C100': every ledger invariant holds" "card: verify on the status line"

key '?'
expect_screen help
key q q
expect_text "Search: c1" "back from the card to the list, the search kept"

key Escape
key :
type_text "card NOPE"
key Enter
expect_text "card 'NOPE' not found" "command line: engine error on the status line"
key :
type_text "card C200"
key Enter
expect_text "Card C200  Budi Santoso" ":card opens a card"
expect_text "balance 1,000.00" ":card: that card's balance"

tmux -L "$sock" resize-window -x 80 -y 24
keys=$((keys + 1))
wait_idle
expect_screen card-80x24

# A lost connection: the console asks, then reconnects.
sql "ALTER ROLE t_clerk NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 't_clerk'" >/dev/null
key R
expect_text "the connection to the database is lost" "lost connection: reconnect prompt"
key r
expect_text "still no connection" "reconnect refused while the role cannot log in"
sql "ALTER ROLE t_clerk LOGIN" >/dev/null
key r
expect_text "reconnected" "reconnect once the server takes us again"
expect_text "balance 1,000.00" "reload after reconnecting"

tmux -L "$sock" send-keys Q
sleep 0.5
if grep -q "exit=0" "$work/exit" && grep -qE '(^| )icanon' "$work/stty" && grep -qE '(^| )echo( |$)' "$work/stty"; then
	ok "quit: exit 0, terminal back in cooked mode with echo"
else
	not_ok "quit: $(cat "$work/exit" 2>/dev/null) $(cat "$work/stty" 2>/dev/null | head -3)"
fi

# A crash signal still restores the terminal.
ABA_CONSOLE_WRAP="sh -c 'echo \$\$ > $work/pid; exec \"\$0\" \"\$@\"'" start_console t_clerk
kill -SEGV "$(cat "$work/pid")"
sleep 0.5
if grep -q "exit=139" "$work/exit" && grep -qE '(^| )icanon' "$work/stty"; then
	ok "SIGSEGV: terminal restored, died of the signal"
else
	not_ok "SIGSEGV: $(cat "$work/exit" 2>/dev/null) $(head -3 "$work/stty" 2>/dev/null)"
fi

# Memory: a scripted session under valgrind, no error and no leak.
if command -v valgrind >/dev/null; then
	valgrind_console t_clerk
	key 2
	type_text "lest"
	key Enter Enter Tab v '?' q q
	key :
	type_text "card C200"
	key Enter R T
	expect_valgrind_clean "valgrind: a scripted session is clean"
fi

# Colours, and none under NO_COLOR.
start_console t_clerk
if tmux -L "$sock" capture-pane -e -p | grep -q "$(printf '\033')\[[0-9;]*3[0-7]m"; then
	ok "colours by default"
else
	not_ok "colours by default"
fi
NO_COLOR=1 start_console t_clerk
if tmux -L "$sock" capture-pane -e -p | grep -q "$(printf '\033')\[[0-9;]*3[0-7]m"; then
	not_ok "NO_COLOR: colour escapes on the screen"
else
	ok "NO_COLOR: no colour"
fi
key T
expect_text "colours are off" "NO_COLOR: themes refused"

finish
