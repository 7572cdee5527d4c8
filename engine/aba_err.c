/* aba_err.c - filling struct aba_err. */
#include "aba_err.h"

#include <stdio.h>
#include <string.h>

int aba_vfail(struct aba_err *err, enum aba_status code, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	err->code = code;
	err->sqlstate[0] = '\0';
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return -1;
}

int aba_fail(struct aba_err *err, enum aba_status code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	aba_vfail(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int aba_status_exit_code(enum aba_status code)
{
	switch (code) {
#define ABA_STATUS_EXIT(NAME, name, exitcode) case ABA_##NAME: return exitcode;
	ABA_STATUS_LIST(ABA_STATUS_EXIT)
#undef ABA_STATUS_EXIT
	}
	return 1;
}

const char *aba_status_name(enum aba_status code)
{
	switch (code) {
#define ABA_STATUS_NAME(NAME, name, exitcode) case ABA_##NAME: return name;
	ABA_STATUS_LIST(ABA_STATUS_NAME)
#undef ABA_STATUS_NAME
	}
	return "unknown";
}
