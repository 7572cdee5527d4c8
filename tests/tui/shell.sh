#!/bin/sh
# shell.sh ABA - `aba shell` in a pseudo-terminal (tmux): Tab completes
# command words, card codes and report names; history is kept in
# ~/.local/share/aba/history.
. "$(dirname "$0")/lib.sh"

make_db t_shell
abadb card create K1001 --name "Dewi Anggraini" >/dev/null
abadb card create K1002 --name "Eko Prasetyo" >/dev/null
abadb card create Z9 --name "Fajar Nugroho" >/dev/null

mkdir -p "$work/home"
tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
	"env HOME=$work/home TERM=xterm LANG=C.UTF-8 $aba --db '$conninfo' shell; sleep 600"

# Waits until the last line of the pane is what we expect.
wait_line() {
	i=0
	while [ "$(tmux -L "$sock" capture-pane -p | sed -e '/^$/d' | tail -1)" != "$1" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			tmux -L "$sock" capture-pane -p | sed -e '/^$/d' | tail -3 >&2
			not_ok "$2 (last line is not '$1')"
			return 1
		fi
		sleep 0.05
	done
	ok "$2"
}

send() {
	tmux -L "$sock" send-keys "$@"
}

wait_line "aba>" "prompt"
send "ca" Tab
wait_line "aba> card" "first word completes: ca -> card"
send "sh" Tab
wait_line "aba> card show" "second word completes: card sh -> card show"
send "K10" Tab
wait_line "aba> card show K100" "card code: the common part of K1001 and K1002"
send Tab Tab
sleep 0.3
if tmux -L "$sock" capture-pane -p | grep -q "K1001 *K1002"; then
	ok "Tab Tab lists the card codes"
else
	not_ok "Tab Tab lists the card codes"
fi
send "2" Enter
if wait_line "aba>" "command runs" && tmux -L "$sock" capture-pane -p | grep -q "Eko Prasetyo"; then
	ok "card show K1002 printed the card"
else
	not_ok "card show K1002 printed the card"
fi
send "report liab" Tab
wait_line "aba> report liability" "report names complete"
send C-u "quit" Enter
sleep 0.5
hist="$work/home/.local/share/aba/history"
if [ -f "$hist" ] && grep -q 'card.040show.040K1002' "$hist"; then
	ok "history written to ~/.local/share/aba/history"
else
	not_ok "history written to ~/.local/share/aba/history"
fi

finish
