/* cmd_dynamic.c - the `netsh ipsec dynamic` commands that act on stored
 * configuration: set config and show config (SPEC §3.1). They persist in
 * the store, so they work whether or not the policy agent runs. */
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

static const struct param p_set_config[] = {
	{ "property", P_REQUIRED },
	{ "value", P_REQUIRED },
};

const struct command dynamic_commands[] = {
	{ "set", "config", PARAMS(p_set_config), cmd_set_config, 0 },
	{ "show", "config", NULL, 0, cmd_show_config, 0 },
};
const size_t n_dynamic_commands = sizeof(dynamic_commands) / sizeof(dynamic_commands[0]);
