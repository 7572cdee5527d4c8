/* report_write.c - choosing an output format. */
#include "aba_report.h"

#include <errno.h>
#include <string.h>

static const char *const format_names[] = {
	[ABA_FORMAT_TABLE] = "table",
	[ABA_FORMAT_CSV] = "csv",
	[ABA_FORMAT_JSON] = "json",
};

int aba_report_format_parse(const char *s, enum aba_report_format *out, struct aba_err *err)
{
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (s && strcmp(s, format_names[i]) == 0) {
			*out = (enum aba_report_format)i;
			return 0;
		}
	return aba_fail(err, ABA_USAGE, "format '%.32s' is not one of table, csv, json", s ? s : "");
}

int aba_report_write(const struct aba_report *r, enum aba_report_format fmt, FILE *f,
		     struct aba_err *err)
{
	int rc = 0;

	switch (fmt) {
	case ABA_FORMAT_TABLE:
		rc = aba_report_write_table(r, f);
		break;
	case ABA_FORMAT_CSV:
		rc = aba_report_write_csv(r, f);
		break;
	case ABA_FORMAT_JSON:
		return aba_report_write_json(r, f, err);
	}
	if (rc || ferror(f))
		return aba_fail(err, ABA_IO, "cannot write the report: %s", strerror(errno));
	return 0;
}
