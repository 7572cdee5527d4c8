/* cmd_member.c - aba member show|evaluate and aba level list|set.
 * Overrides go through the approval workflow (aba request override). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_amount.h"
#include "aba_member.h"
#include "cli.h"
#include "commands.h"

static json_t *amount_json(int64_t v)
{
	char buf[ABA_AMOUNT_BUFSZ];

	return json_string(aba_amount_format(v, buf));
}

/* "1.5" from 15000 basis points: no trailing zeros. */
static const char *multiplier_text(int64_t bp, char *buf)
{
	size_t n = strlen(aba_decimal_format(bp, 4, buf));

	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

static json_t *info_json(const struct aba_member_info *m)
{
	char mult[ABA_AMOUNT_BUFSZ];
	json_t *j = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s}", "card", m->card,
			      "at", m->at, "level", *m->level ? m->level : NULL,
			      "level_name", *m->level_name ? m->level_name : NULL,
			      "since", *m->since ? m->since : NULL,
			      "change", *m->change ? m->change : NULL,
			      "earn_multiplier", multiplier_text(m->multiplier, mult));

	if (m->has_spend) {
		json_object_set_new(j, "spend", amount_json(m->spend));
		json_object_set_new(j, "threshold", amount_json(m->threshold));
		json_object_set_new(j, "window_days", json_integer(m->window_days));
	}
	if (*m->next_level)
		json_object_set_new(j, "next", json_pack("{s:s, s:s, s:o, s:i, s:o, s:o}",
			"level", m->next_level, "name", m->next_name,
			"threshold", amount_json(m->next_threshold), "window_days", m->next_window_days,
			"spend", amount_json(m->next_spend), "distance", amount_json(m->next_distance)));
	if (*m->override_level)
		json_object_set_new(j, "override", json_pack("{s:s, s:s, s:s}",
			"level", m->override_level, "until", m->override_until,
			"reason", m->override_reason));
	return j;
}

static void print_info(const struct aba_member_info *m)
{
	char a[ABA_AMOUNT_BUFSZ], b[ABA_AMOUNT_BUFSZ], mult[ABA_AMOUNT_BUFSZ];

	printf("card:       %s\n", m->card);
	if (*m->level)
		printf("level:      %s (%s), earn x%s, since %s (%s)\n", m->level, m->level_name,
		       multiplier_text(m->multiplier, mult), m->since, m->change);
	else
		printf("level:      none\n");
	if (m->has_spend)
		printf("spend:      %s in the last %d days (keeps %s at %s)\n",
		       aba_amount_format_grouped(m->spend, a), m->window_days, m->level,
		       aba_amount_format_grouped(m->threshold, b));
	if (*m->next_level)
		printf("next:       %s at %s in %d days: %s to go (spend %s)\n", m->next_level,
		       aba_amount_format_grouped(m->next_threshold, a), m->next_window_days,
		       aba_amount_format_grouped(m->next_distance, b),
		       aba_amount_format_grouped(m->next_spend, mult));
	else
		printf("next:       none (highest level reachable by spend)\n");
	if (*m->override_level)
		printf("override:   %s until %s: %s\n", m->override_level, m->override_until,
		       m->override_reason);
}

int cmd_member_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	struct aba_member_info m;
	const char *at = NULL;
	struct aba_err err;
	struct aba_db *db;
	int opt, rc, json = 0;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'a')
			at = optarg;
		else if (opt == 'j')
			json = 1;
		else
			return cli_bad_option("member show", argv);
	}
	if ((rc = cli_expect_args("member show", argc, argv, 1)))
		return rc;
	if (!(db = cli_db(cli, &err)) || aba_member_info(db, argv[optind], at, &m, &err))
		return cli_fail(&err);
	if (json) {
		json_t *j = info_json(&m);

		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		print_info(&m);
	}
	aba_member_info_clear(&m);
	return 0;
}

static void print_change(void *arg, const struct aba_member_change *c)
{
	char spend[ABA_AMOUNT_BUFSZ];

	(void)arg;
	printf("%s: %s -> %s (%s, spend %s)\n", c->card, *c->from ? c->from : "none",
	       *c->to ? c->to : "none", c->outcome, aba_amount_format_grouped(c->spend, spend));
}

static void evaluate_progress(void *arg, const struct aba_member_totals *t)
{
	(void)arg;
	fprintf(stderr, "\revaluating: %lld cards", (long long)t->cards);
}

int cmd_member_evaluate(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "as-of", required_argument, NULL, 'a' }, { 0 } };
	struct aba_member_totals t;
	const char *as_of = NULL, *card = NULL;
	struct aba_err err;
	struct aba_db *db;
	int opt, many;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'a')
			return cli_bad_option("member evaluate", argv);
		as_of = optarg;
	}
	if (argc - optind > 1)
		return cli_usage("member evaluate", "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc)
		card = argv[optind];
	many = !card && isatty(2);
	if (!(db = cli_db(cli, &err)) ||
	    aba_member_evaluate(db, as_of, card, print_change, many ? evaluate_progress : NULL,
				NULL, &t, &err))
		return cli_fail(&err);
	if (many && t.cards)
		fputc('\n', stderr);
	printf("evaluated %lld card(s): %lld up, %lld down, %lld overridden, %lld overrides lapsed,"
	       " %lld pinned, %lld unchanged, %lld skipped\n",
	       (long long)t.cards, (long long)t.upgraded, (long long)t.downgraded,
	       (long long)t.overridden, (long long)t.lapsed, (long long)t.pinned,
	       (long long)t.unchanged, (long long)t.skipped);
	return 0;
}

static void print_level(void *arg, const struct aba_level *l)
{
	char mult[ABA_AMOUNT_BUFSZ], thr[ABA_AMOUNT_BUFSZ], win[16];
	json_t *list = arg;

	if (list) {
		json_t *j = json_pack("{s:s, s:s, s:i, s:s}", "code", l->code, "name", l->name,
				      "sequence", l->sequence,
				      "earn_multiplier", multiplier_text(l->multiplier, mult));
		if (l->has_path)
			json_object_set_new(j, "path", json_pack("{s:o, s:i, s:b, s:b}",
				"threshold", amount_json(l->threshold), "window_days", l->window_days,
				"upgradable", l->upgradable, "downgradable", l->downgradable));
		json_array_append_new(list, j);
		return;
	}
	win[0] = '\0';
	if (l->has_path) {
		aba_amount_format_grouped(l->threshold, thr);
		snprintf(win, sizeof(win), "%dd", l->window_days);
	}
	printf("%-12s %-20s %8d  x%-7s %20s %7s  %s%s\n", l->code, l->name, l->sequence,
	       multiplier_text(l->multiplier, mult), l->has_path ? thr : "override only",
	       l->has_path ? win : "-", l->has_path && l->upgradable ? "up " : "",
	       l->has_path && l->downgradable ? "down" : "");
}

int cmd_level_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { 0 } };
	struct aba_err err;
	struct aba_db *db;
	json_t *list = NULL;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'j')
			return cli_bad_option("level list", argv);
		list = json_array();
	}
	if ((rc = cli_expect_args("level list", argc, argv, 0))) {
		json_decref(list);
		return rc;
	}
	if (!list)
		printf("%-12s %-20s %8s  %-8s %20s %7s  %s\n", "CODE", "NAME", "SEQUENCE", "EARN",
		       "THRESHOLD", "WINDOW", "MOVES");
	if (!(db = cli_db(cli, &err)) || aba_member_levels(db, print_level, list, &err)) {
		json_decref(list);
		return cli_fail(&err);
	}
	if (list) {
		json_dumpf(list, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(list);
	}
	return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;

	*out = strtol(s, &end, 10);
	return *s && !*end && *out >= lo && *out <= hi ? 0 : -1;
}

/* The options of level set; 0 or the usage exit code. */
static int parse_level(int argc, char **argv, struct aba_level *l, struct aba_err *err)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "sequence", required_argument, NULL, 's' },
		{ "multiplier", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "window", required_argument, NULL, 'w' },
		{ "no-upgrade", no_argument, NULL, 'U' },
		{ "no-downgrade", no_argument, NULL, 'D' },
		{ 0 },
	};
	int opt, seen_seq = 0;
	long v;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n') {
			snprintf(l->name, sizeof(l->name), "%s", optarg);
		} else if (opt == 's') {
			if (parse_int(optarg, 0, 1000000, &v))
				return cli_usage("level set", "--sequence takes a number from 0 to 1000000");
			l->sequence = (int)v;
			seen_seq = 1;
		} else if (opt == 'm') {
			if (aba_decimal_parse(optarg, 4, 1000000, "multiplier", &l->multiplier, err))
				return cli_fail(err);
		} else if (opt == 't') {
			if (aba_amount_parse(optarg, "threshold", &l->threshold, err))
				return cli_fail(err);
			l->has_path = 1;
		} else if (opt == 'w') {
			if (parse_int(optarg, 1, 3660, &v))
				return cli_usage("level set", "--window takes a number of days from 1 to 3660");
			l->window_days = (int)v;
		} else if (opt == 'U') {
			l->upgradable = 0;
		} else if (opt == 'D') {
			l->downgradable = 0;
		} else {
			return cli_bad_option("level set", argv);
		}
	}
	if (!*l->name || !seen_seq)
		return cli_usage("level set", "--name and --sequence are required");
	if (l->has_path != (l->window_days > 0))
		return cli_usage("level set", "--threshold and --window go together");
	return 0;
}

int cmd_level_set(struct cli *cli, int argc, char **argv)
{
	struct aba_level l = { .multiplier = 10000, .upgradable = 1, .downgradable = 1 };
	struct aba_err err;
	struct aba_db *db;
	int rc = parse_level(argc, argv, &l, &err);

	if (rc || (rc = cli_expect_args("level set", argc, argv, 1)))
		return rc;
	snprintf(l.code, sizeof(l.code), "%s", argv[optind]);
	if (strlen(argv[optind]) >= sizeof(l.code))
		return cli_usage("level set", "level code is too long");
	if (!(db = cli_db(cli, &err)) || aba_member_level_set(db, &l, &err))
		return cli_fail(&err);
	printf("level '%s' saved\n", l.code);
	return 0;
}
