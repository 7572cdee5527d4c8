#!/bin/sh
# crash.sh ABA SHIM - `aba console` dying of a crash signal gives the
# terminal back from its handler with async-signal-safe calls only: the
# shim (crash_shim.c, preloaded) logs any call of endwin, curses' output,
# the allocator, stdio or exit made inside the handler, and there must be
# none.  The terminal must still be restored (cooked mode, the normal
# screen, the cursor shown) and the process must die of the signal.
. "$(dirname "$0")/lib.sh"
: "${ABA_CRASH_SHIM:?the crash_shim module, from CMake}"

make_db t_crash
make_login t_clerk aba_clerk

# crash SIGNAL EXIT: starts the console, kills it with SIGNAL, checks.
crash() {
	rm -f "$work/pid" "$work/shim.log"
	ABA_CONSOLE_WRAP="env LD_PRELOAD=$ABA_CRASH_SHIM ABA_CRASH_SHIM_LOG=$work/shim.log \
		sh -c 'echo \$\$ > $work/pid; exec \"\$0\" \"\$@\"'" start_console t_clerk
	expect_text "Home" "$1: the console is up"
	kill "-$1" "$(cat "$work/pid")"
	i=0
	while [ ! -s "$work/stty" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.2
	if grep -q "exit=$2" "$work/exit"; then
		ok "$1: died of the signal (exit $2)"
	else
		not_ok "$1: $(cat "$work/exit" 2>/dev/null), not exit=$2"
	fi
	if [ -s "$work/shim.log" ]; then
		not_ok "$1: the handler called $(sort -u "$work/shim.log" | tr '\n' ' ')"
	else
		ok "$1: the handler called nothing unsafe"
	fi
	if grep -qE '(^| )icanon' "$work/stty" && grep -qE '(^| )echo( |$)' "$work/stty"; then
		ok "$1: terminal back in cooked mode with echo"
	else
		not_ok "$1: terminal modes $(head -3 "$work/stty" 2>/dev/null)"
	fi
	state=$(tmux -L "$sock" display -p '#{alternate_on} #{cursor_flag}')
	if [ "$state" = "0 1" ]; then
		ok "$1: normal screen, cursor shown"
	else
		not_ok "$1: alternate screen and cursor flags are '$state', not '0 1'"
	fi
	rm -f "$work/stty"
}

crash SEGV 139
crash ABRT 134
finish
