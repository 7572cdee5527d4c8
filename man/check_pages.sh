#!/bin/sh
# check_pages.sh ABA MANDIR - every command `aba help` lists is described in
# aba.1 (as ".It Cm WORDS"), and the pages are mandoc -Tlint clean at
# warning level (skipped when mandoc is not installed).
set -u
aba=$1 dir=$2
status=0 n=0
commands=$("$aba" help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p' | sed 's/ *$//')
[ -n "$commands" ] || { echo "no commands read from '$aba help'" >&2; exit 1; }
while IFS= read -r words; do
	n=$((n + 1))
	if ! grep -Eq "^\.It Cm $words( |$)" "$dir/aba.1"; then
		echo "aba.1 does not describe 'aba $words'" >&2
		status=1
	fi
done <<EOT
$commands
EOT
echo "aba.1 checked against $n commands"
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W warning "$dir"/*.[1-8] || status=1
fi
exit $status
