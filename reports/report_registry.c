/* report_registry.c - the table of reports and the checks every report's
 * parameters pass before any SQL runs. */
#include "aba_report.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aba_text.h"
#include "aba_time.h"

#define ABA_REPORT_DEF(name, opts, summary) { #name, opts, summary, aba_report_##name },
const struct aba_report_def aba_report_defs[] = { ABA_REPORTS(ABA_REPORT_DEF) };
#undef ABA_REPORT_DEF
const int aba_report_count = sizeof(aba_report_defs) / sizeof(aba_report_defs[0]);

#define DAY 86400

const struct aba_report_def *aba_report_find(const char *name)
{
	for (int i = 0; name && i < aba_report_count; i++)
		if (strcmp(aba_report_defs[i].name, name) == 0)
			return &aba_report_defs[i];
	return NULL;
}

/* Canonical parameters and the buffers their strings live in. */
struct resolved {
	struct aba_report_args a;
	int64_t from, to, as_of;
	char from_s[ABA_TIME_BUFSZ], to_s[ABA_TIME_BUFSZ], as_of_s[ABA_TIME_BUFSZ];
};

static int refuse_unused(const struct aba_report_def *d, const struct aba_report_params *p,
			 struct aba_err *err)
{
	static const struct {
		unsigned bit;
		const char *option;
	} opts[] = {
		{ ABA_REPORT_AS_OF, "--as-of" }, { ABA_REPORT_FROM, "--from" },
		{ ABA_REPORT_TO, "--to" }, { ABA_REPORT_LEVEL, "--level" }, { ABA_REPORT_TOP, "--top" },
	};
	const int given[] = { p->as_of != NULL, p->from != NULL, p->to != NULL, p->level != NULL,
			      p->top != 0 };

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (given[i] && !(d->options & opts[i].bit))
			return aba_fail(err, ABA_USAGE, "report '%s' takes no %s", d->name,
					opts[i].option);
	return 0;
}

/* A time option, or def when it was not given. */
static int time_or(const char *s, const char *what, int64_t def, int64_t *out, char *buf,
		   struct aba_err *err)
{
	*out = def;
	if (s && aba_time_parse(s, what, out, err))
		return -1;
	aba_time_format(*out, buf);
	return 0;
}

static int resolve(const struct aba_report_def *d, const struct aba_report_params *p,
		   struct resolved *r, struct aba_err *err)
{
	int64_t now = (int64_t)time(NULL);

	memset(r, 0, sizeof(*r));
	if (refuse_unused(d, p, err))
		return -1;
	if (time_or(p->as_of, "as-of", now, &r->as_of, r->as_of_s, err) ||
	    time_or(p->to, "to", now, &r->to, r->to_s, err) ||
	    time_or(p->from, "from", r->to - 29 * DAY, &r->from, r->from_s, err))
		return -1;
	if (r->from > r->to)
		return aba_fail(err, ABA_INPUT, "--from %s is after --to %s", r->from_s, r->to_s);
	if ((r->to - r->from) / DAY >= ABA_REPORT_MAX_DAYS)
		return aba_fail(err, ABA_INPUT, "a period of at most %d days, please",
				ABA_REPORT_MAX_DAYS);
	if (p->top < 0 || p->top > ABA_REPORT_TOP_MAX)
		return aba_fail(err, ABA_INPUT, "--top takes a number from 1 to %d", ABA_REPORT_TOP_MAX);
	if (p->level && aba_text_check(p->level, "level", 40, err))
		return -1;
	r->a.as_of = r->as_of_s;
	r->a.as_of_now = p->as_of == NULL;
	r->a.from = r->from_s;
	r->a.to = r->to_s;
	r->a.level = p->level;
	r->a.top = p->top ? p->top : ABA_REPORT_TOP_DEFAULT;
	return 0;
}

/* "liability as of 2026-03-01T00:00:00Z, level GOLD": the report and
 * exactly the parameters it used. */
static void set_title(struct aba_report *out, const struct aba_report_def *d,
		      const struct aba_report_args *a)
{
	size_t n = (size_t)snprintf(out->title, sizeof(out->title), "%s", d->name);

#define TITLE_ADD(...) \
	if (n < sizeof(out->title)) \
		n += (size_t)snprintf(out->title + n, sizeof(out->title) - n, __VA_ARGS__)
	if (d->options & ABA_REPORT_AS_OF)
		TITLE_ADD(" as of %s", a->as_of);
	if (d->options & ABA_REPORT_FROM)
		TITLE_ADD(" from %.10s to %.10s", a->from, a->to);
	if ((d->options & ABA_REPORT_LEVEL) && a->level)
		TITLE_ADD(", level %s", a->level);
	if (d->options & ABA_REPORT_TOP)
		TITLE_ADD(", top %d", a->top);
#undef TITLE_ADD
}

int aba_report_run(struct aba_db *db, const char *name, const struct aba_report_params *p,
		   struct aba_report *out, struct aba_err *err)
{
	const struct aba_report_def *d = aba_report_find(name);
	struct resolved r;

	memset(out, 0, sizeof(*out));
	if (!d)
		return aba_fail(err, ABA_USAGE, "no report '%.64s' (see 'aba report list')",
				name ? name : "");
	if (resolve(d, p, &r, err))
		return -1;
	out->def = d;
	set_title(out, d, &r.a);
	if (d->run(db, &r.a, out, err)) {
		aba_report_clear(out);
		return -1;
	}
	return 0;
}
