# lib.sh - drive `aba console` and `aba shell` in tmux, like tig's tests:
# keys go in only when the console is idle, screens come out of
# capture-pane and are compared with expected/*.screen.
#
# ABA_UPDATE_SCREENS=1 writes the expected screens instead of comparing.

set -eu
: "${ABA_TEST_HOME:?run through ctest}"
aba=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/aba-tui.XXXXXX)
sock="aba-tui-$$-0"
starts=0
keys=0
failures=0
passes=0

# An aba killed with its tmux server may still be saving its shell history
# under $work while rm runs ("Directory not empty"): try again briefly, and
# never fail a run whose checks passed over a leftover temporary directory.
cleanup() {
	n=0
	while [ $n -le $starts ]; do
		tmux -L "aba-tui-$$-$n" kill-server 2>/dev/null || true
		n=$((n + 1))
	done
	n=0
	until rm -rf "$work" 2>/dev/null || [ $n -ge 20 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ ! -e "$work" ] || echo "note: could not remove $work" >&2
}
trap cleanup EXIT

# A fresh database for this script on the ctest cluster.
make_db() {
	db=$1
	PGOPTIONS="-c client_min_messages=warning" psql -X -q -h "$ABA_TEST_HOME/run" -d postgres \
		-c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
	conninfo="host=$ABA_TEST_HOME/run dbname=$db"
	"$aba" --db "$conninfo" db migrate >/dev/null
}

# A login role in a group role, as staff sign in.
make_login() {
	psql -X -q -h "$ABA_TEST_HOME/run" -d "$db" -c \
		"DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$1') THEN
		 CREATE ROLE $1 LOGIN; END IF; END\$\$; GRANT $2 TO $1" >/dev/null
}

# A superuser login, for what no staff role may do (bare earn and redeem):
# named, so that the actor on screen is the same on every machine.
make_superuser() {
	psql -X -q -h "$ABA_TEST_HOME/run" -d "$db" -c \
		"DO \$\$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$1') THEN
		 CREATE ROLE $1 LOGIN SUPERUSER; END IF; END\$\$" >/dev/null
}

sql() {
	psql -X -q -At -h "$ABA_TEST_HOME/run" -d "$db" -c "$1"
}

abadb() {
	"$aba" --db "$conninfo" "$@"
}

# start_console USER [ARGS...]: the console in a 100x30 pane.
start_console() {
	user=$1
	shift
	keys=0
	rm -f "$work/idle" "$work/exit"
	# A new tmux server each time: reusing a socket just killed races.
	tmux -L "$sock" kill-server 2>/dev/null || true
	starts=$((starts + 1))
	sock="aba-tui-$$-$starts"
	tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
		"env TERM=xterm LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC LINES= COLUMNS= \
		 ${NO_COLOR:+NO_COLOR=$NO_COLOR} ABA_CONSOLE_IDLE=$work/idle \
		 ${ABA_CONSOLE_WRAP:-} $aba --db '$conninfo' --user $user console $*; \
		 echo \"exit=\$?\" > $work/exit; stty -a > $work/stty; sleep 600"
	wait_idle
}

# Waits until the console has handled every key sent so far and drawn.
wait_idle() {
	i=0
	while :; do
		if [ -f "$work/idle" ] && [ "$(cut -d' ' -f1 "$work/idle")" -ge "$keys" ]; then
			return 0
		fi
		i=$((i + 1))
		if [ $i -gt 400 ]; then
			echo "not ok - console not idle after key $keys" >&2
			tmux -L "$sock" capture-pane -p >&2 || true
			exit 1
		fi
		sleep 0.05
	done
}

# key NAME...: tmux key names (Enter, Down, Escape, C-c ...), one key each.
key() {
	for k in "$@"; do
		tmux -L "$sock" send-keys "$k"
		keys=$((keys + 1))
		wait_idle
	done
}

# type TEXT: literal text, one key per character.
type_text() {
	tmux -L "$sock" send-keys -l -- "$1"
	keys=$((keys + $(printf '%s' "$1" | wc -m)))
	wait_idle
}

# The screen with what changes from run to run masked.
screen() {
	tmux -L "$sock" capture-pane -p | sed -E \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm/g' \
		-e 's/hh:mm:[0-9]{2}/hh:mm:ss/g' \
		-e 's/ +$//'
}

ok() {
	passes=$((passes + 1))
	echo "ok - $1"
}

not_ok() {
	failures=$((failures + 1))
	echo "not ok - $1"
}

# expect_screen NAME: the screen must equal expected/NAME.screen.
expect_screen() {
	screen > "$work/$1.screen"
	if [ "${ABA_UPDATE_SCREENS:-}" = 1 ]; then
		cp "$work/$1.screen" "$here/expected/$1.screen"
	fi
	if diff -u "$here/expected/$1.screen" "$work/$1.screen"; then
		ok "screen $1"
	else
		not_ok "screen $1"
	fi
}

# expect_line TEXT WHAT: some line of the screen contains TEXT.
expect_text() {
	if screen | grep -qF -- "$1"; then
		ok "$2"
	else
		screen >&2
		not_ok "$2 (no '$1' on the screen)"
	fi
}

# Q leaves the console: no idle mark follows, so wait for its exit.
quit_console() {
	tmux -L "$sock" send-keys Q
	i=0
	while [ ! -f "$work/exit" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}

# valgrind_console USER [ARGS...]: the console under valgrind (memcheck).
valgrind_console() {
	ABA_CONSOLE_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=$work/vg.log" \
		start_console "$@"
}

# expect_valgrind_clean WHAT: quits; exit 0 and nothing in valgrind's log.
expect_valgrind_clean() {
	quit_console
	if grep -q "exit=0" "$work/exit" && [ ! -s "$work/vg.log" ]; then
		ok "$1"
	else
		not_ok "$1: $(cat "$work/exit" 2>/dev/null); $(head -30 "$work/vg.log" 2>/dev/null)"
	fi
}

finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}
