/* fuzz_odoo.c - libFuzzer target: `aba import odoo`'s reading of Odoo
 * search_read exports (the streaming scanner of the array of records, the
 * recognition of the model, and each model's record normaliser: many2one
 * pairs, float points to hundredths, Odoo dates to ISO UTC), and for
 * program, rule and reward files the building of aba's program JSON.
 *
 * The first byte picks the model (auto or forced); the rest is the file
 * (an in-memory one).  Besides not crashing: each record handed on is an
 * object with its position "i", and an error always says what is wrong.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "aba_odoo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *arg, const json_t *rec, size_t offset, struct aba_err *err)
{
	char *text;

	(void)offset, (void)err;
	if (!json_is_object(rec) || !json_is_integer(json_object_get(rec, "i")))
		abort();
	text = json_dumps(rec, JSON_COMPACT);
	free(text);
	(*(long *)arg)++;
	return 0;
}

/* Program files also go through the builder (and so aba's program
 * parser): what it builds is an array of program objects, or it says why
 * not. */
static void build_programs(const struct aba_odoo_file *f)
{
	struct aba_err err;
	json_t *programs;

	memset(&err, 0, sizeof(err));
	if (aba_odoo_programs_build(f, 1, &programs, NULL, &err) != 0) {
		if (err.msg[0] == '\0')
			abort();
		return;
	}
	if (!json_is_array(programs))
		abort();
	json_decref(programs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aba_odoo_file f;
	struct aba_err err;
	char path[64];
	long records = 0;
	int model, fd;

	if (size < 1)
		return 0;
	model = data[0] % (ABA_ODOO_MODEL_COUNT + 1) - 1;	/* -1 is auto */
	fd = memfd_create("odoo", 0);
	if (fd < 0)
		return 0;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&err, 0, sizeof(err));
	if (aba_odoo_file_load(path, model, &f, &err) == 0) {
		if (aba_odoo_file_each(&f, each, &records, &err) != 0 && err.msg[0] == '\0')
			abort();
		if (aba_odoo_model_is_program(f.model))
			build_programs(&f);
		aba_odoo_file_free(&f);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	close(fd);
	return 0;
}
