#!/bin/sh
# run.sh CLANG SOURCE_DIR WORK_DIR SECONDS - builds the libFuzzer target with
# clang (whatever compiler the rest of the tree uses) under ASan + UBSan,
# then fuzzes for SECONDS starting from tests/fuzz/corpus.  New inputs go to
# WORK_DIR/corpus, crashes to WORK_DIR (crash-*), and the test fails.
set -eu
clang=$1 src=$2 work=$3 seconds=$4
mkdir -p "$work/corpus"
e=$src/engine
# shellcheck disable=SC2046
"$clang" -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$e" $(pkg-config --cflags jansson) -o "$work/fuzz_promo" \
	"$src/tests/fuzz/fuzz_promo.c" "$e/aba_arena.c" "$e/aba_pid.c" "$e/aba_jp.c" \
	"$e/aba_program.c" "$e/aba_cart.c" "$e/aba_spread.c" "$e/aba_promo.c" \
	"$e/aba_promo_explain.c" "$e/aba_promo_json.c" "$e/aba_amount.c" \
	"$e/aba_time.c" "$e/aba_err.c" $(pkg-config --libs jansson)
cd "$work"
exec ./fuzz_promo -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 corpus "$src/tests/fuzz/corpus"
