/* aba_odoo_record.h - one Odoo record, as search_read wrote it, checked
 * and turned into what the import functions in sql/061 take.  Internal to
 * the aba_odoo_* files. */
#ifndef ABA_ODOO_RECORD_H
#define ABA_ODOO_RECORD_H

#include <stdint.h>

#include <jansson.h>

#include "aba_err.h"
#include "aba_odoo.h"

/* The model a record looks like (by the fields only that model has), or -1. */
int aba_odoo_record_model(const json_t *raw);

/* The record's Odoo id (the "id" field), or -1 with err set. */
int aba_odoo_record_id(const json_t *raw, int64_t *id, struct aba_err *err);

/* *out: a new object {"i": position, "id": ..., the model's fields}.  raw's
 * numbers arrive as strings (see aba_odoo_file.c).  Errors say
 * "FIELD: what is wrong". */
int aba_odoo_record_normalize(enum aba_odoo_model m, const json_t *raw, long position,
			      json_t **out, struct aba_err *err);

#endif
