#!/bin/sh
# shell_loss.sh ABA - `aba shell` losing its connection (the server ends
# the session, as on a restart or a network cut): a posting typed next goes
# through after a silent reconnect; while the server refuses us it fails
# with a plain message and the prompt comes back; once it takes us again
# the same command posts.  Each key is posted exactly once, nothing half.
. "$(dirname "$0")/../tui/lib.sh"

make_db t_shell_loss
make_superuser shell_loss
abadb card create L1 --name "Rina Wulandari" >/dev/null
abadb points earn L1 10 --key seed >/dev/null
mkdir -p "$work/home"
tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 \
	"env HOME=$work/home TERM=xterm LANG=C.UTF-8 $aba --db '$conninfo' --user shell_loss shell; sleep 600"

# wait_text TEXT WHAT [TRIES]: TEXT shows up in the pane (0.1 s a try).
wait_text() {
	i=0
	while ! tmux -L "$sock" capture-pane -p -S -100 | grep -qF -- "$1"; do
		i=$((i + 1))
		if [ "$i" -gt "${3:-100}" ]; then
			tmux -L "$sock" capture-pane -p | sed -e '/^$/d' | tail -5 >&2
			not_ok "$2 (no '$1')"
			return 1
		fi
		sleep 0.1
	done
	ok "$2"
}
# cut_connection: the server ends the shell's session.
cut_connection() {
	sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	     WHERE usename = 'shell_loss' AND datname = 't_shell_loss'" >/dev/null
}
run() { tmux -L "$sock" send-keys -l -- "$1"; tmux -L "$sock" send-keys Enter; }

wait_text "aba>" "prompt"
run "points earn L1 5 --key sh-1"
wait_text "balance 15.00" "a posting before the loss"
cut_connection
run "points earn L1 5 --key sh-2"
wait_text "balance 20.00" "the next posting after a lost connection goes through (reconnected)"
sql "ALTER ROLE shell_loss NOLOGIN" >/dev/null
cut_connection
run "points earn L1 5 --key sh-3"
# aba_db_call tries to reconnect for 20 s, then says so
wait_text "aba: lost the connection to the database" "a plain message while the server refuses us" 400
i=0
while [ "$(tmux -L "$sock" capture-pane -p | sed -e '/^$/d' | tail -1)" != "aba>" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ $i -lt 50 ] && ok "the prompt comes back after the error" || not_ok "no prompt after the error"
sql "ALTER ROLE shell_loss LOGIN" >/dev/null
run "points earn L1 5 --key sh-3"
wait_text "balance 25.00" "the same posting once the server takes us again" 300
got=$(sql "SELECT string_agg(key || ':' || n, ' ' ORDER BY key) FROM (SELECT key, count(*) n
	FROM aba.postings WHERE key LIKE 'sh-%' GROUP BY key) k")
[ "$got" = "sh-1:1 sh-2:1 sh-3:1" ] && ok "each key posted exactly once" || not_ok "postings: $got"
[ "$(sql "SELECT balance FROM aba.cards WHERE code = 'L1'")" = 2500 ] && ok "balance 25.00 in the database" ||
	not_ok "balance in the database"
abadb verify >/dev/null && ok "aba verify" || not_ok "aba verify"
finish
