#!/bin/sh
# fuzz.sh WORK_DIR SOURCE_DIR TARGET SECONDS - runs one target built by
# build.sh for SECONDS from tests/fuzz/corpus/TARGET (new inputs go to
# WORK_DIR/corpus/TARGET), in a scratch directory of its own, and prints
# one line: runs, wall and CPU seconds, crashes.  A crash, leak or broken
# promise leaves WORK_DIR/TARGET-crash-* and fails.
#
# fuzz_cli runs without leak detection: a command that stops at a usage
# error may leave what it allocated to the process's exit (a one-shot
# CLI), which is no defect; crashes and undefined behaviour still count.
# allocator_may_return_null: an absurd allocation fails as it would
# under libc (NULL, reported as an error) rather than aborting.
set -u
work=$1 src=$2 target=$3 seconds=$4
mkdir -p "$work/corpus/$target" "$work/scratch-$target"
leaks=1
[ "$target" = cli ] && leaks=0
cd "$work/scratch-$target" || exit 1
rm -f "$work/$target-crash-"*
ASAN_OPTIONS="allocator_may_return_null=1:detect_leaks=$leaks" \
	/usr/bin/time -f '%U %S' -o "$work/$target.cpu" \
	"$work/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-detect_leaks=$leaks -close_fd_mask=3 -artifact_prefix="$work/$target-" \
	-print_final_stats=1 "$work/corpus/$target" "$src/tests/fuzz/corpus/$target" \
	>"$work/$target.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
crashes=$(ls "$work/$target-"crash-* "$work/$target-"leak-* "$work/$target-"timeout-* \
	"$work/$target-"oom-* 2>/dev/null | wc -l)
read -r user sys <"$work/$target.cpu"
echo "fuzz_$target: ${runs:-0} runs in ${seconds} s, CPU ${user} s user ${sys} s system," \
	"corpus $(ls "$work/corpus/$target" | wc -l) inputs, $crashes crashes"
# A target that waits on something (a database it should not reach) runs
# a handful of inputs where it should run thousands: that is a failure too.
if [ "${runs:-0}" -lt 1000 ]; then
	echo "fuzz_$target: only ${runs:-0} runs: the target blocks somewhere"
	rc=1
fi
if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
	grep -E "ERROR|SUMMARY|#[0-9]+ 0x" "$work/$target.log" | head -20
	exit 1
fi
