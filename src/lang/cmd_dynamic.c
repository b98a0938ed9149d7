// SPDX-License-Identifier: MIT
/* cmd_dynamic.c - the `netsh ipsec dynamic` commands (SPEC §3). `set config`
 * and `show config` act on stored configuration, so they work whether or
 * not the policy agent runs. The rest act on the agent's SPD: their tags
 * are bound here, so a bad tag is told at once, and the session's spd_run
 * carries them out (in the agent) or sends them to the agent (in the CLI). */
#include "session.h"
#include "show.h"

static int cmd_set_config(struct session *s, struct bound *b, struct err *e)
{
	enum config_property p;
	struct config c;

	if (config_property_parse(args_get(b, "property"), &p, e) < 0)
		return args_fail(b, "property", e);
	if (db_config_load(s->db, &c, e) < 0)
		return -1;
	if (config_set(&c, p, args_get(b, "value"), e) < 0)
		return args_fail(b, "value", e);
	if (p == CFG_IPSECEXEMPT || p == CFG_BOOTMODE || p == CFG_BOOTEXEMPTIONS)
		session_warn(s, "%s takes effect at the next boot", config_property_name(p));
	return db_config_save(s->db, &c, e);
}

static int cmd_show_config(struct session *s, struct bound *b, struct err *e)
{
	struct show_opts o = { .format = SHOW_LIST };
	struct config c;
	json_t *items;

	(void)b;
	if (db_config_load(s->db, &c, e) < 0)
		return -1;
	items = json_array();
	json_array_append_new(items, show_config(&c));
	show_print(s, "config", items, &o);
	return 0;
}

static int cmd_spd(struct session *s, struct bound *b, struct err *e)
{
	if (!s->spd_run)
		return err_set(e, SPD_NO_AGENT);
	return s->spd_run(s, b, e);
}

static const struct param p_set_config[] = {
	{ "property", P_REQUIRED },
	{ "value", P_REQUIRED },
};

#define MM_OPTIONS { "qmpermm", 0 }, { "mmlifetime", 0 }, { "softsaexpirationtime", 0 }, \
	{ "mmsecmethods", 0 }
#define QM_OPTIONS { "soft", 0 }, { "pfsgroup", 0 }, { "qmsecmethods", 0 }
static const struct param p_add_mm[] = { { "name", P_REQUIRED }, MM_OPTIONS };
static const struct param p_set_mm[] = { { "name", 0 }, { "all", P_TAGGED }, MM_OPTIONS };
static const struct param p_add_qm[] = { { "name", P_REQUIRED }, QM_OPTIONS };
static const struct param p_set_qm[] = { { "name", 0 }, { "all", P_TAGGED }, QM_OPTIONS };
static const struct param p_name_or_all[] = { { "name", P_REQUIRED } };

/* The fields that identify a dynamic rule (SPEC §3), in netsh's order. */
#define RULE_IDENTITY { "srcaddr", P_REQUIRED }, { "dstaddr", P_REQUIRED }
#define RULE_IDENTITY_REST { "protocol", 0 }, { "srcport", 0 }, { "dstport", 0 }, \
	{ "mirrored", 0 }, { "conntype", 0 }
#define RULE_SETTABLE { "actioninbound", 0 }, { "actionoutbound", 0 }
#define RULE_IDENTITY_TAIL { "srcmask", 0 }, { "dstmask", 0 }, { "tunneldstaddress", 0 }
#define RULE_AUTH { "kerberos", 0 }, { "psk", 0 }, { "rootca", P_REPEAT }
static const struct param p_add_rule[] = {
	RULE_IDENTITY, { "mmpolicy", P_REQUIRED }, { "qmpolicy", 0 }, RULE_IDENTITY_REST,
	RULE_SETTABLE, RULE_IDENTITY_TAIL, RULE_AUTH,
};
static const struct param p_set_rule[] = {
	RULE_IDENTITY, { "mmpolicy", 0 }, { "qmpolicy", 0 }, RULE_IDENTITY_REST,
	RULE_SETTABLE, RULE_IDENTITY_TAIL, RULE_AUTH,
};
static const struct param p_delete_rule[] = {
	RULE_IDENTITY, RULE_IDENTITY_REST, RULE_IDENTITY_TAIL,
};

/* Show filters: the address and port criteria of SPEC §3 (all optional). */
#define SHOW_CRITERIA { "srcaddr", 0 }, { "dstaddr", 0 }, { "srcmask", 0 }, { "dstmask", 0 }, \
	{ "protocol", 0 }, { "srcport", 0 }, { "dstport", 0 }, { "mirrored", P_TAGGED }
static const struct param p_show_all[] = { { "resolvedns", 0 } };
static const struct param p_show_mmfilter[] = {
	{ "name", P_REQUIRED }, { "type", 0 }, SHOW_CRITERIA, { "resolvedns", P_TAGGED },
};
static const struct param p_show_qmfilter[] = {
	{ "name", P_REQUIRED }, { "type", 0 }, SHOW_CRITERIA, { "actioninbound", P_TAGGED },
	{ "actionoutbound", P_TAGGED }, { "resolvedns", P_TAGGED },
};
static const struct param p_show_rule[] = { { "type", 0 }, SHOW_CRITERIA, { "resolvedns", P_TAGGED } };
static const struct param p_show_stats[] = { { "type", 0 } };
static const struct param p_show_sas[] = {
	{ "all", 0 }, SHOW_CRITERIA, { "format", P_TAGGED }, { "resolvedns", P_TAGGED },
};

const struct command dynamic_commands[] = {
	{ "set", "config", PARAMS(p_set_config), cmd_set_config, 0 },
	{ "show", "config", NULL, 0, cmd_show_config, 0 },
	{ "add", "mmpolicy", PARAMS(p_add_mm), cmd_spd, CMD_SPD },
	{ "set", "mmpolicy", PARAMS(p_set_mm), cmd_spd, CMD_SPD },
	{ "delete", "mmpolicy", PARAMS(p_name_or_all), cmd_spd, CMD_SPD },
	{ "add", "qmpolicy", PARAMS(p_add_qm), cmd_spd, CMD_SPD },
	{ "set", "qmpolicy", PARAMS(p_set_qm), cmd_spd, CMD_SPD },
	{ "delete", "qmpolicy", PARAMS(p_name_or_all), cmd_spd, CMD_SPD },
	{ "add", "rule", PARAMS(p_add_rule), cmd_spd, CMD_SPD },
	{ "set", "rule", PARAMS(p_set_rule), cmd_spd, CMD_SPD },
	{ "delete", "rule", PARAMS(p_delete_rule), cmd_spd, CMD_SPD },
	{ "delete", "all", NULL, 0, cmd_spd, CMD_SPD },
	{ "show", "all", PARAMS(p_show_all), cmd_spd, CMD_SPD },
	{ "show", "mmpolicy", PARAMS(p_name_or_all), cmd_spd, CMD_SPD },
	{ "show", "qmpolicy", PARAMS(p_name_or_all), cmd_spd, CMD_SPD },
	{ "show", "mmfilter", PARAMS(p_show_mmfilter), cmd_spd, CMD_SPD },
	{ "show", "qmfilter", PARAMS(p_show_qmfilter), cmd_spd, CMD_SPD },
	{ "show", "rule", PARAMS(p_show_rule), cmd_spd, CMD_SPD },
	{ "show", "stats", PARAMS(p_show_stats), cmd_spd, CMD_SPD },
	{ "show", "mmsas", PARAMS(p_show_sas), cmd_spd, CMD_SPD },
	{ "show", "qmsas", PARAMS(p_show_sas), cmd_spd, CMD_SPD },
	{ "show", "fallbacks", NULL, 0, cmd_spd, CMD_SPD },
};
const size_t n_dynamic_commands = sizeof(dynamic_commands) / sizeof(dynamic_commands[0]);
