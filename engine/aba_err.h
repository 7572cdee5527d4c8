/* aba_err.h - status codes and the error struct every engine call fills.
 *
 * A call returns 0 on success and leaves *err untouched; on failure it
 * returns -1 and sets *err.  Messages are lowercase, without a full stop,
 * and quote their subject: card 'A17' not found.
 */
#ifndef ABA_ERR_H
#define ABA_ERR_H

#include <stdarg.h>

/* X(NAME, name in JSON output, process exit code) */
#define ABA_STATUS_LIST(X) \
	X(OK,           "ok",           0) \
	X(USAGE,        "usage",        2) \
	X(INPUT,        "input",        1) \
	X(NOT_FOUND,    "not_found",    1) \
	X(CONFLICT,     "conflict",     1) \
	X(INSUFFICIENT, "insufficient", 1) \
	X(DENIED,       "denied",       1) \
	X(DB,           "db",           1) \
	X(CONNECTION,   "connection",   3) \
	X(SERVER,       "server",       3) \
	X(IO,           "io",           1) \
	X(CHECK_FAILED, "check_failed", 1) \
	X(NOMEM,        "nomem",        1)

enum aba_status {
#define ABA_STATUS_ENUM(NAME, name, exitcode) ABA_##NAME,
	ABA_STATUS_LIST(ABA_STATUS_ENUM)
#undef ABA_STATUS_ENUM
};

struct aba_err {
	enum aba_status code;
	char sqlstate[6];
	char msg[256];
};

/* Sets err (when not NULL) and returns -1, so callers can `return aba_fail(...)`. */
int aba_fail(struct aba_err *err, enum aba_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int aba_vfail(struct aba_err *err, enum aba_status code, const char *fmt, va_list ap);

/* The process exit code that goes with a status. */
int aba_status_exit_code(enum aba_status code);
/* The status's name, e.g. "not_found", for JSON output. */
const char *aba_status_name(enum aba_status code);

#endif
