#!/bin/sh
# console_search.sh ABA CONNINFO - not a CTest.  Start to first screen and
# search as you type in `aba console` on a database with CARDS cards
# (default 1,000,000; made with plain INSERTs when the database has fewer,
# since only reading is measured).  Prints: start ms, ms per keystroke
# (the console's own measure: key read to screen drawn), peak RSS.
# Targets: start < 300 ms, < 50 ms per keystroke, RSS < 50 MB.
set -eu
aba=$1 conninfo=$2 cards=${CARDS:-1000000}
work=$(mktemp -d /tmp/aba-console-bench.XXXXXX)
sock="aba-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

have=$(psql -X -At -d "$conninfo" -c "SELECT count(*) FROM aba.cards")
if [ "$have" -lt "$cards" ]; then
	echo "making $cards cards..."
	psql -X -q -d "$conninfo" <<SQL
INSERT INTO aba.partners (name, phone)
SELECT (ARRAY['Ani','Budi','Citra','Dewi','Eko','Fajar','Gita','Hadi','Indah','Joko','Kartika',
	'Lestari','Made','Nur','Putu','Rina','Sari','Tono','Utami','Wayan','Yusuf','Agus','Bambang',
	'Fitri'])[1 + (i * 7) % 24] || ' ' ||
       (ARRAY['Wibowo','Hakim','Pratama','Gunawan','Santoso','Lestari','Saputra','Nugroho',
	'Hidayat','Siregar','Harahap','Sihombing','Wijaya','Kusuma','Setiawan','Rahayu','Putri',
	'Halim','Susanto','Tanjung'])[1 + (i * 13 / 7) % 20],
       '+628' || lpad(((i::bigint * 7919) % 1000000000)::text, 9, '0')
  FROM generate_series($have + 1, $cards) i;
INSERT INTO aba.cards (code, partner_id)
SELECT 'B' || lpad(p.id::text, 7, '0'), p.id FROM aba.partners p
 WHERE NOT EXISTS (SELECT 1 FROM aba.cards c WHERE c.partner_id = p.id);
ANALYZE aba.cards; ANALYZE aba.partners;
SQL
fi
# Searches read card_search with index-only scans: as after autovacuum.
psql -X -q -d "$conninfo" -c "VACUUM ANALYZE aba.card_search"

now_ms() { date +%s%3N; }
keys=0
wait_idle() {
	while [ ! -f "$work/idle" ] || [ "$(cut -d' ' -f1 "$work/idle")" -lt "$keys" ]; do
		sleep 0.005
	done
}

t0=$(now_ms)
tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
	"env TERM=xterm LANG=C.UTF-8 ABA_CONSOLE_IDLE=$work/idle sh -c 'echo \$\$ > $work/pid; exec $aba --db \"$conninfo\" console'"
wait_idle
t1=$(now_ms)
echo "start to first screen: $((t1 - t0)) ms (tmux start included)"

type_key() {
	tmux -L "$sock" send-keys -l "$1"
	keys=$((keys + 1))
	wait_idle
	printf '  %-10s %s ms\n' "$2" "$(cut -d' ' -f2 "$work/idle")"
}
tmux -L "$sock" send-keys 2
keys=1
wait_idle
echo "per keystroke on $cards cards (key read to screen drawn):"
# What people type: a card code, a phone as stored and as said, names in
# any case, a common word, one that matches nothing.
for word in B0001234 +62812 "0812 3" "anI wib" "budi san" wibowo 81234 zzq; do
	typed=""
	for ch in $(printf '%s' "$word" | od -An -v -tx1); do
		ch=$(printf "\\$(printf %o "0x$ch")")
		typed="$typed$ch"
		type_key "$ch" "$typed"
	done
	tmux -L "$sock" send-keys C-u
	keys=$((keys + 1))
	wait_idle
done
echo "peak RSS: $(grep VmHWM /proc/"$(cat "$work/pid")"/status | awk '{print $2, $3}')"
