#!/bin/sh
# build.sh CLANG SOURCE_DIR BUILD_DIR WORK_DIR - builds the libFuzzer
# targets of this directory (fuzz_*.c but fuzz_promo.c, which run.sh
# builds) with clang under ASan + UBSan, whatever compiler builds the
# tree.  The engine, reports and CLI are compiled once into
# WORK_DIR/libaba_fuzz.a; each target links what it needs from it, with
# --wrap for the calls it replaces (see each target's comment).
# BUILD_DIR is the CMake build, for its generated aba_migrations.c.
set -eu
clang=$1 src=$2 build=$3 work=$4
mkdir -p "$work/obj"
flags="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
	-I$src/engine -I$src/reports -I$src/tui
	$(pkg-config --cflags libpq jansson openssl ncursesw libedit)"
libs="$(pkg-config --libs libpq jansson openssl ncursesw libedit) -lpthread"

# Every source file but the ones a target replaces, two at a time.
ls "$src"/engine/*.c "$src"/reports/*.c "$src"/tui/*.c "$build/engine/aba_migrations.c" |
	xargs -P 2 -I{} sh -c '
		f={}; o='"$work"'/obj/$(basename "$(dirname "$f")")_$(basename "$f" .c).o
		extra=""
		[ "$(basename "$f")" = main.c ] && extra="-Dmain=aba_main"
		exec '"$clang"' '"$(echo $flags)"' -DABA_VERSION=\"fuzz\" $extra -c "$f" -o "$o"'
rm -f "$work/libaba_fuzz.a"
ar rcs "$work/libaba_fuzz.a" "$work"/obj/*.o

link() {
	target=$1
	shift
	# shellcheck disable=SC2086
	"$clang" $flags -fsanitize=fuzzer "$@" -o "$work/$target" "$src/tests/fuzz/$target.c" \
		"$work/libaba_fuzz.a" $libs
}
link fuzz_scalar
link fuzz_audit_file
link fuzz_odoo
link fuzz_order -Wl,--wrap=aba_db_call -Wl,--wrap=aba_db_call_repeatable \
	-Wl,--wrap=aba_db_call_json -Wl,--wrap=aba_member_level_at
link fuzz_cli -Wl,--wrap=aba_db_open -Wl,--wrap=aba_db_connect -Wl,--wrap=aba_cluster_locate
echo "built fuzz_scalar fuzz_audit_file fuzz_odoo fuzz_order fuzz_cli in $work"
