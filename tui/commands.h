/* commands.h - every command of the aba CLI, in one list.
 *
 * The list generates the prototypes, the dispatch table, `aba help` and
 * (later) the shell's completion.  X(words, function, synopsis, summary).
 */
#ifndef ABA_COMMANDS_H
#define ABA_COMMANDS_H

struct cli;

#define ABA_COMMANDS(X) \
	X("db init", cmd_db_init, "", \
	  "create the embedded cluster and database, apply migrations") \
	X("db migrate", cmd_db_migrate, "", \
	  "apply pending schema migrations") \
	X("db status", cmd_db_status, "", \
	  "schema version, server state and the connection string") \
	X("db stop", cmd_db_stop, "", \
	  "stop the embedded server") \
	X("card create", cmd_card_create, "CODE --name NAME [--phone P] [--email E]", \
	  "register a customer and their card") \
	X("card list", cmd_card_list, "[--search TEXT] [--limit N] [--json]", \
	  "cards with balance and level") \
	X("card show", cmd_card_show, "CODE [--json]", \
	  "balance, level, lots in FEFO order and recent history") \
	X("points earn", cmd_points_earn, \
	  "CARD POINTS --key KEY [--origin O] [--at TIME] [--validity DAYS]", \
	  "credit points through the ledger (the POS path)") \
	X("points redeem", cmd_points_redeem, "CARD POINTS --key KEY [--origin O] [--at TIME]", \
	  "spend points, the soonest-expiring first") \
	X("points expire", cmd_points_expire, "[--as-of TIME]", \
	  "expire every lot past its expiry") \
	X("verify", cmd_verify, "[CARD]", \
	  "check every ledger invariant; exit 1 when one is broken") \
	X("demo seed", cmd_demo_seed, "[--customers N] [--orders M]", \
	  "demo levels, programs, customers and 18 months of orders (default 50, 8 each)") \
	X("simulate", cmd_simulate, \
	  "[--programs FILE] [--level CODE] [--code C]... [--at TIME] [--multiplier X] [--json] CART_FILE|-", \
	  "what a cart would get: discounts, free items, points, and why") \
	X("program import", cmd_program_import, "FILE|-", \
	  "add or replace programs from a JSON file (admin)") \
	X("program list", cmd_program_list, "[--json]", \
	  "stored programs by sequence") \
	X("program show", cmd_program_show, "ID", \
	  "one stored program's JSON") \
	X("member show", cmd_member_show, "CARD [--at TIME] [--json]", \
	  "level, since when, qualifying spend, distance to the next level, override") \
	X("member evaluate", cmd_member_evaluate, "[--as-of TIME] [CARD]", \
	  "move cards up or down by qualifying spend; respects overrides") \
	X("level list", cmd_level_list, "[--json]", \
	  "membership levels and the paths into them") \
	X("level set", cmd_level_set, \
	  "CODE --name NAME --sequence N [--multiplier X] [--threshold A --window DAYS]" \
	  " [--no-upgrade] [--no-downgrade]", \
	  "create or change a membership level (admin)") \
	X("console", cmd_console, "[--theme dark|light|mono] [CARD]", \
	  "the full-screen console: cards, approvals, audit, reports") \
	X("shell", cmd_shell, "", \
	  "the commands at a prompt, with history and Tab completion") \
	X("report list", cmd_report_list, "", \
	  "the reports and the options each takes") \
	X("report refresh", cmd_report_refresh, "", \
	  "fold new postings into the report summaries (nightly, as admin)") \
	X("report", cmd_report, "NAME [--as-of T] [--from T] [--to T] [--level L] [--top N]" \
	  " [--format table|csv|json] [--output FILE] [--report-db CONNINFO]", \
	  "run a report: liability, expiring, activity, consistency, ...") \
	X("order post", cmd_order_post, "[--programs FILE] [--batch N] FILE|-", \
	  "post POS orders (one, an array, or JSON lines); a replayed ref returns the first result") \
	X("order refund", cmd_order_refund, \
	  "REF [--amount A | --lines PRODUCT[:QTY],...] --key KEY [--at TIME]", \
	  "refund an order in full or in part: points reversed and restored") \
	X("order show", cmd_order_show, "REF [--json]", \
	  "an order with its lines, level, amounts, points and refunds") \
	X("sync run", cmd_sync_run, "[--to FILE | --exec CMD] [--once] [--max-attempts N]", \
	  "deliver outbox events as JSON lines, in order per card, at least once") \
	X("sync status", cmd_sync_status, "", \
	  "pending, failing, parked and delivered events; the oldest pending age") \
	X("sync retry", cmd_sync_retry, "", \
	  "put parked events back to pending") \
	X("adjust request", cmd_adjust_request, "CARD POINTS --reason CODE [--note TEXT]", \
	  "ask for a manual +/- points adjustment (maker; a checker approves)") \
	X("adjust list", cmd_adjust_list, \
	  "[--state S] [--kind adjust|override] [--card C] [--limit N] [--json]", \
	  "approval requests (adjustments and overrides), oldest first") \
	X("adjust approve", cmd_adjust_approve, "ID [--note TEXT]", \
	  "approve someone else's request: the points move (or the level is pinned) at once") \
	X("adjust reject", cmd_adjust_reject, "ID --note TEXT", \
	  "reject someone else's request, saying why") \
	X("adjust cancel", cmd_adjust_cancel, "ID", \
	  "withdraw your own pending request") \
	X("approvals expire", cmd_approvals_expire, "", \
	  "mark pending requests past their expiry as expired") \
	X("approvals settings", cmd_approvals_settings, "", \
	  "approval thresholds: auto-approve, approver limits, expiry") \
	X("approvals set", cmd_approvals_set, "NAME VALUE|none", \
	  "change an approval threshold (admin)") \
	X("reason list", cmd_reason_list, "", \
	  "the reason codes requests may give") \
	X("reason set", cmd_reason_set, "CODE --label TEXT [--for adjust|override|any] [--inactive]", \
	  "add or change a reason code (admin)") \
	X("audit log", cmd_audit_log, \
	  "[--actor A] [--action X] [--entity E] [--since T] [--until T] [--limit N] [--json]", \
	  "staff actions and configuration changes, oldest first") \
	X("audit verify", cmd_audit_verify, "[--file FILE] [--head HASH]", \
	  "check the hash chain (or an export, offline); exit 1 naming the first broken row") \
	X("audit export", cmd_audit_export, "FILE", \
	  "write the audit log as JSON lines ending with its head hash") \
	X("staff add", cmd_staff_add, "NAME clerk|approver|auditor|admin|pos", \
	  "create a staff login (admin)") \
	X("staff list", cmd_staff_list, "", \
	  "staff logins and their roles") \
	X("member override", cmd_member_override, \
	  "CARD LEVEL --until DATE --reason CODE [--note TEXT]", \
	  "ask to pin a card's level until a date (a checker approves with adjust approve)") \
	X("import odoo", cmd_import_odoo, "[--dry-run] [--model M] [--check] FILE...", \
	  "import partners, programs, cards and point history from Odoo exports, or --check them") \
	X("help", cmd_help, "[COMMAND]", \
	  "list the commands, or show one command's usage")

#define ABA_COMMAND_PROTO(words, fn, synopsis, summary) int fn(struct cli *cli, int argc, char **argv);
ABA_COMMANDS(ABA_COMMAND_PROTO)
#undef ABA_COMMAND_PROTO

struct aba_command {
	const char *words;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *synopsis;
	const char *summary;
};

extern const struct aba_command aba_commands[];
extern const int aba_commands_count;

/* The command named by argv's first one or two words, or NULL; *used says
 * how many words it took. */
const struct aba_command *aba_command_find(int argc, char **argv, int *used);

#endif
