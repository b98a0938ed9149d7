// SPDX-License-Identifier: MIT
/* store_objects.c - the store's objects as rows: policies, pending
 * assignments, filter lists, filters, filter actions and rules (store.h). */
#include "store.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/label.h"
#include "store_db.h"

/* --- row helpers ------------------------------------------------------- */

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* A name or description: a store edited by hand may hold what the commands
 * refuse (label.h); it is shown escaped, never as it is. */
static void col_label(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	col_text(st, i, dst, cap);
	label_escape(dst, cap);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Appends rows read by `read` into a growing array of `size`-byte items. */
static int collect(struct db *db, sqlite3_stmt *st, size_t size,
		   void (*read)(sqlite3_stmt *, void *), void **out, size_t *n, struct err *e)
{
	size_t cap = 0, count = 0;
	char *items = NULL;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char *grown = realloc(items, ncap * size);
			if (!grown) {
				free(items);
				sqlite3_reset(st);
				return err_set(e, "out of memory");
			}
			items = grown;
			cap = ncap;
		}
		memset(items + count * size, 0, size);
		read(st, items + count * size);
		count++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(items);
		return db_fail(db, e, "read");
	}
	*out = items;
	*n = count;
	return 0;
}

/* Steps a lookup: 1 and the row read into out, or 0. */
static int find_one(struct db *db, sqlite3_stmt *st, void (*read)(sqlite3_stmt *, void *),
		    void *out, struct err *e)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		read(st, out);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, "lookup");
	return rc == SQLITE_ROW;
}

/* Binds (store, name, guid) for the "find by name or guid" queries. */
static void bind_named(sqlite3_stmt *st, enum store_kind s, const char *name, const char *guid)
{
	sqlite3_bind_int(st, 1, s);
	if (name)
		bind_text(st, 2, name);
	if (guid)
		bind_text(st, 3, guid);
}

static int delete_by_id(struct db *db, const char *sql, int64_t id, struct err *e,
			const char *what)
{
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(db, st, e, what);
}

/* --- policies ---------------------------------------------------------- */

#define POLICY_COLS                                                                         \
	"id, store, guid, name, description, mmpfs, qmpermm, mmlifetime, pollinginterval,"  \
	" assigned, gponame, mmsecmethods, dr_active, dr_qmpfs, dr_qmsecmethods, dr_auth, seq"

static void read_policy(sqlite3_stmt *st, void *out)
{
	struct policy *p = out;

	p->id = sqlite3_column_int64(st, 0);
	p->store = (enum store_kind)sqlite3_column_int(st, 1);
	col_text(st, 2, p->guid, sizeof(p->guid));
	col_label(st, 3, p->name, sizeof(p->name));
	col_label(st, 4, p->description, sizeof(p->description));
	p->mmpfs = sqlite3_column_int(st, 5);
	p->qmpermm = sqlite3_column_int(st, 6);
	p->mmlifetime = sqlite3_column_int(st, 7);
	p->pollinginterval = sqlite3_column_int(st, 8);
	p->assigned = sqlite3_column_int(st, 9);
	col_label(st, 10, p->gponame, sizeof(p->gponame));
	col_text(st, 11, p->mmsecmethods, sizeof(p->mmsecmethods));
	p->defrule.active = sqlite3_column_int(st, 12);
	p->defrule.qmpfs = sqlite3_column_int(st, 13);
	col_text(st, 14, p->defrule.qmsecmethods, sizeof(p->defrule.qmsecmethods));
	col_text(st, 15, p->defrule.auth, sizeof(p->defrule.auth));
	p->seq = sqlite3_column_int64(st, 16);
}

/* Binds every policy column but id, in POLICY_COLS order, from index 1. */
static void bind_policy(sqlite3_stmt *st, const struct policy *p)
{
	sqlite3_bind_int(st, 1, p->store);
	bind_text(st, 2, p->guid);
	bind_text(st, 3, p->name);
	bind_text(st, 4, p->description);
	sqlite3_bind_int(st, 5, p->mmpfs);
	sqlite3_bind_int64(st, 6, p->qmpermm);
	sqlite3_bind_int64(st, 7, p->mmlifetime);
	sqlite3_bind_int64(st, 8, p->pollinginterval);
	sqlite3_bind_int(st, 9, p->assigned);
	bind_text(st, 10, p->gponame);
	bind_text(st, 11, p->mmsecmethods);
	sqlite3_bind_int(st, 12, p->defrule.active);
	sqlite3_bind_int(st, 13, p->defrule.qmpfs);
	bind_text(st, 14, p->defrule.qmsecmethods);
	bind_text(st, 15, p->defrule.auth);
	sqlite3_bind_int64(st, 16, p->seq);
}

int db_policy_add(struct db *db, struct policy *p, struct err *e)
{
	static const char sql[] =
		"INSERT INTO policies (" POLICY_COLS ") VALUES "
		"(NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;

	if (!p->guid[0])
		new_guid(p->guid);
	p->assigned = false; /* only db_policy_assign assigns */
	if (db_next_seq(db, &p->seq, e) < 0 || !(st = db_stmt(db, sql, e)))
		return -1;
	bind_policy(st, p);
	if (db_step_done(db, st, e, "add policy") < 0)
		return -1;
	p->id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_policy_update(struct db *db, const struct policy *p, struct err *e)
{
	static const char sql[] =
		"UPDATE policies SET store = ?1, guid = ?2, name = ?3, description = ?4,"
		" mmpfs = ?5, qmpermm = ?6, mmlifetime = ?7, pollinginterval = ?8,"
		" gponame = ?10, mmsecmethods = ?11, dr_active = ?12, dr_qmpfs = ?13,"
		" dr_qmsecmethods = ?14, dr_auth = ?15, seq = ?16 WHERE id = ?17";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	bind_policy(st, p);
	sqlite3_bind_int64(st, 17, p->id);
	return db_step_done(db, st, e, "set policy");
}

int db_policy_delete(struct db *db, int64_t id, struct err *e)
{
	return delete_by_id(db, "DELETE FROM policies WHERE id = ?", id, e, "delete policy");
}

int db_policy_find(struct db *db, enum store_kind s, const char *name, const char *guid,
		   struct policy *out, struct err *e)
{
	static const char by_name[] = "SELECT " POLICY_COLS " FROM policies WHERE store = ?1 AND name = ?2";
	static const char by_guid[] = "SELECT " POLICY_COLS " FROM policies WHERE store = ?1 AND guid = ?3 COLLATE NOCASE";
	sqlite3_stmt *st = db_stmt(db, name ? by_name : by_guid, e);

	if (!st)
		return -1;
	bind_named(st, s, name, guid);
	return find_one(db, st, read_policy, out, e);
}

int db_policy_list(struct db *db, enum store_kind s, struct policy **out, size_t *n,
		   struct err *e)
{
	static const char sql[] = "SELECT " POLICY_COLS " FROM policies WHERE store = ? ORDER BY seq";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, s);
	return collect(db, st, sizeof(**out), read_policy, (void **)out, n, e);
}

int db_policy_assign(struct db *db, enum store_kind s, int64_t id, struct err *e)
{
	static const char clear[] = "UPDATE policies SET assigned = 0 WHERE store = ? AND assigned = 1";
	static const char set[] = "UPDATE policies SET assigned = 1 WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, clear, e);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, s);
	if (db_step_done(db, st, e, "unassign") < 0)
		return -1;
	if (id == 0)
		return 0;
	return delete_by_id(db, set, id, e, "assign");
}

int db_policy_assigned(struct db *db, enum store_kind s, struct policy *out, struct err *e)
{
	static const char sql[] = "SELECT " POLICY_COLS " FROM policies WHERE store = ? AND assigned = 1";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, s);
	return find_one(db, st, read_policy, out, e);
}

/* --- the pending safe assign ------------------------------------------- */

int db_pending_get(struct db *db, struct pending_assign *out, struct err *e)
{
	static const char sql[] = "SELECT store, policy, previous, deadline FROM pending_assign";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->store = (enum store_kind)sqlite3_column_int(st, 0);
		col_text(st, 1, out->policy, sizeof(out->policy));
		col_text(st, 2, out->previous, sizeof(out->previous));
		out->deadline = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(db, e, "pending assign");
	return rc == SQLITE_ROW;
}

int db_pending_set(struct db *db, const struct pending_assign *p, struct err *e)
{
	static const char sql[] = "INSERT OR REPLACE INTO pending_assign "
				  "(id, store, policy, previous, deadline) VALUES (1, ?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, p->store);
	bind_text(st, 2, p->policy);
	bind_text(st, 3, p->previous);
	sqlite3_bind_int64(st, 4, p->deadline);
	return db_step_done(db, st, e, "pending assign");
}

int db_pending_clear(struct db *db, struct err *e)
{
	static const char sql[] = "DELETE FROM pending_assign";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	return st ? db_step_done(db, st, e, "pending assign") : -1;
}

/* --- filter lists ------------------------------------------------------ */

#define FILTERLIST_COLS "id, guid, name, description"

static void read_filterlist(sqlite3_stmt *st, void *out)
{
	struct filterlist *l = out;

	l->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, l->guid, sizeof(l->guid));
	col_label(st, 2, l->name, sizeof(l->name));
	col_label(st, 3, l->description, sizeof(l->description));
}

int db_filterlist_add(struct db *db, enum store_kind s, struct filterlist *l, struct err *e)
{
	static const char sql[] =
		"INSERT INTO filterlists (store, guid, name, description, seq) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int64_t seq;

	if (!l->guid[0])
		new_guid(l->guid);
	if (db_next_seq(db, &seq, e) < 0 || !(st = db_stmt(db, sql, e)))
		return -1;
	sqlite3_bind_int(st, 1, s);
	bind_text(st, 2, l->guid);
	bind_text(st, 3, l->name);
	bind_text(st, 4, l->description);
	sqlite3_bind_int64(st, 5, seq);
	if (db_step_done(db, st, e, "add filterlist") < 0)
		return -1;
	l->id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_filterlist_update(struct db *db, const struct filterlist *l, struct err *e)
{
	static const char sql[] = "UPDATE filterlists SET name = ?, description = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	bind_text(st, 1, l->name);
	bind_text(st, 2, l->description);
	sqlite3_bind_int64(st, 3, l->id);
	return db_step_done(db, st, e, "set filterlist");
}

int db_filterlist_delete(struct db *db, int64_t id, struct err *e)
{
	return delete_by_id(db, "DELETE FROM filterlists WHERE id = ?", id, e, "delete filterlist");
}

int db_filterlist_find(struct db *db, enum store_kind s, const char *name, const char *guid,
		       struct filterlist *out, struct err *e)
{
	static const char by_name[] = "SELECT " FILTERLIST_COLS " FROM filterlists WHERE store = ?1 AND name = ?2";
	static const char by_guid[] = "SELECT " FILTERLIST_COLS " FROM filterlists WHERE store = ?1 AND guid = ?3 COLLATE NOCASE";
	sqlite3_stmt *st = db_stmt(db, name ? by_name : by_guid, e);

	if (!st)
		return -1;
	bind_named(st, s, name, guid);
	return find_one(db, st, read_filterlist, out, e);
}

int db_filterlist_by_id(struct db *db, int64_t id, struct filterlist *out, struct err *e)
{
	static const char sql[] = "SELECT " FILTERLIST_COLS " FROM filterlists WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return find_one(db, st, read_filterlist, out, e);
}

int db_filterlist_list(struct db *db, enum store_kind s, struct filterlist **out, size_t *n,
		       struct err *e)
{
	static const char sql[] = "SELECT " FILTERLIST_COLS " FROM filterlists WHERE store = ? ORDER BY seq";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, s);
	return collect(db, st, sizeof(**out), read_filterlist, (void **)out, n, e);
}

/* --- filters ----------------------------------------------------------- */

#define FILTER_COLS                                                                    \
	"id, guid, src_kind, src_server, src_family, src_len, src_addr, src_name,"     \
	" dst_kind, dst_server, dst_family, dst_len, dst_addr, dst_name, proto,"       \
	" sport_lo, sport_hi, dport_lo, dport_hi, icmp_type, icmp_code, mirrored,"     \
	" description, seq"

static void read_addr(sqlite3_stmt *st, int i, struct addr *a)
{
	const void *blob = sqlite3_column_blob(st, i + 4);
	int len = sqlite3_column_bytes(st, i + 4);

	a->kind = (enum addr_kind)sqlite3_column_int(st, i);
	a->server = (enum server_type)sqlite3_column_int(st, i + 1);
	a->ip.family = (uint8_t)sqlite3_column_int(st, i + 2);
	a->ip.len = (uint8_t)sqlite3_column_int(st, i + 3);
	if (blob && len == 16)
		memcpy(a->ip.bytes, blob, 16);
	col_label(st, i + 5, a->name, sizeof(a->name));
}

static void read_filter(sqlite3_stmt *st, void *out)
{
	struct filter *f = out;

	f->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, f->guid, sizeof(f->guid));
	read_addr(st, 2, &f->src);
	read_addr(st, 8, &f->dst);
	f->proto = (uint8_t)sqlite3_column_int(st, 14);
	f->sport.lo = (uint16_t)sqlite3_column_int(st, 15);
	f->sport.hi = (uint16_t)sqlite3_column_int(st, 16);
	f->dport.lo = (uint16_t)sqlite3_column_int(st, 17);
	f->dport.hi = (uint16_t)sqlite3_column_int(st, 18);
	f->icmp_type = (int16_t)sqlite3_column_int(st, 19);
	f->icmp_code = (int16_t)sqlite3_column_int(st, 20);
	f->mirrored = sqlite3_column_int(st, 21);
	col_label(st, 22, f->description, sizeof(f->description));
	f->seq = sqlite3_column_int64(st, 23);
}

static void bind_addr(sqlite3_stmt *st, int i, const struct addr *a)
{
	sqlite3_bind_int(st, i, a->kind);
	sqlite3_bind_int(st, i + 1, a->server);
	sqlite3_bind_int(st, i + 2, a->ip.family);
	sqlite3_bind_int(st, i + 3, a->ip.len);
	sqlite3_bind_blob(st, i + 4, a->ip.bytes, 16, SQLITE_STATIC);
	bind_text(st, i + 5, a->name);
}

int db_filter_add(struct db *db, int64_t list_id, struct filter *f, struct err *e)
{
	static const char sql[] =
		"INSERT INTO filters (filterlist_id, key, " FILTER_COLS ") VALUES (?, ?, NULL, ?,"
		" ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	char key[512];
	sqlite3_stmt *st;
	int rc;

	if (!f->guid[0])
		new_guid(f->guid);
	if (db_next_seq(db, &f->seq, e) < 0 || !(st = db_stmt(db, sql, e)))
		return -1;
	filter_key(f, key, sizeof(key));
	sqlite3_bind_int64(st, 1, list_id);
	bind_text(st, 2, key);
	bind_text(st, 3, f->guid);
	bind_addr(st, 4, &f->src);
	bind_addr(st, 10, &f->dst);
	sqlite3_bind_int(st, 16, f->proto);
	sqlite3_bind_int(st, 17, f->sport.lo);
	sqlite3_bind_int(st, 18, f->sport.hi);
	sqlite3_bind_int(st, 19, f->dport.lo);
	sqlite3_bind_int(st, 20, f->dport.hi);
	sqlite3_bind_int(st, 21, f->icmp_type);
	sqlite3_bind_int(st, 22, f->icmp_code);
	sqlite3_bind_int(st, 23, f->mirrored);
	bind_text(st, 24, f->description);
	sqlite3_bind_int64(st, 25, f->seq);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT) {
		err_set(e, "the filter list already has this filter");
		return DB_DUPLICATE;
	}
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "add filter");
	db->dirty = true;
	f->id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_filter_delete(struct db *db, int64_t id, struct err *e)
{
	return delete_by_id(db, "DELETE FROM filters WHERE id = ?", id, e, "delete filter");
}

int db_filter_list(struct db *db, int64_t list_id, struct filter **out, size_t *n,
		   struct err *e)
{
	static const char sql[] = "SELECT " FILTER_COLS " FROM filters WHERE filterlist_id = ? ORDER BY seq";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, list_id);
	return collect(db, st, sizeof(**out), read_filter, (void **)out, n, e);
}

int db_filter_count(struct db *db, int64_t list_id, size_t *n, struct err *e)
{
	static const char sql[] = "SELECT count(*) FROM filters WHERE filterlist_id = ?";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, list_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, e, "count filters");
	}
	*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* --- filter actions ---------------------------------------------------- */

#define FILTERACTION_COLS "id, guid, name, description, action, inpass, soft, qmpfs, qmsecmethods"

static void read_filteraction(sqlite3_stmt *st, void *out)
{
	struct filteraction *a = out;

	a->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, a->guid, sizeof(a->guid));
	col_label(st, 2, a->name, sizeof(a->name));
	col_text(st, 3, a->description, sizeof(a->description));
	a->action = (enum action)sqlite3_column_int(st, 4);
	a->inpass = sqlite3_column_int(st, 5);
	a->soft = sqlite3_column_int(st, 6);
	a->qmpfs = sqlite3_column_int(st, 7);
	col_text(st, 8, a->qmsecmethods, sizeof(a->qmsecmethods));
}

static void bind_filteraction(sqlite3_stmt *st, const struct filteraction *a)
{
	bind_text(st, 1, a->name);
	bind_text(st, 2, a->description);
	sqlite3_bind_int(st, 3, a->action);
	sqlite3_bind_int(st, 4, a->inpass);
	sqlite3_bind_int(st, 5, a->soft);
	sqlite3_bind_int(st, 6, a->qmpfs);
	bind_text(st, 7, a->qmsecmethods);
}

int db_filteraction_add(struct db *db, enum store_kind s, struct filteraction *a,
			struct err *e)
{
	static const char sql[] =
		"INSERT INTO filteractions (name, description, action, inpass, soft, qmpfs,"
		" qmsecmethods, store, guid, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int64_t seq;

	if (!a->guid[0])
		new_guid(a->guid);
	if (db_next_seq(db, &seq, e) < 0 || !(st = db_stmt(db, sql, e)))
		return -1;
	bind_filteraction(st, a);
	sqlite3_bind_int(st, 8, s);
	bind_text(st, 9, a->guid);
	sqlite3_bind_int64(st, 10, seq);
	if (db_step_done(db, st, e, "add filteraction") < 0)
		return -1;
	a->id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_filteraction_update(struct db *db, const struct filteraction *a, struct err *e)
{
	static const char sql[] =
		"UPDATE filteractions SET name = ?, description = ?, action = ?, inpass = ?,"
		" soft = ?, qmpfs = ?, qmsecmethods = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	bind_filteraction(st, a);
	sqlite3_bind_int64(st, 8, a->id);
	return db_step_done(db, st, e, "set filteraction");
}

int db_filteraction_delete(struct db *db, int64_t id, struct err *e)
{
	return delete_by_id(db, "DELETE FROM filteractions WHERE id = ?", id, e,
			    "delete filteraction");
}

int db_filteraction_find(struct db *db, enum store_kind s, const char *name, const char *guid,
			 struct filteraction *out, struct err *e)
{
	static const char by_name[] = "SELECT " FILTERACTION_COLS " FROM filteractions WHERE store = ?1 AND name = ?2";
	static const char by_guid[] = "SELECT " FILTERACTION_COLS " FROM filteractions WHERE store = ?1 AND guid = ?3 COLLATE NOCASE";
	sqlite3_stmt *st = db_stmt(db, name ? by_name : by_guid, e);

	if (!st)
		return -1;
	bind_named(st, s, name, guid);
	return find_one(db, st, read_filteraction, out, e);
}

int db_filteraction_by_id(struct db *db, int64_t id, struct filteraction *out, struct err *e)
{
	static const char sql[] = "SELECT " FILTERACTION_COLS " FROM filteractions WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return find_one(db, st, read_filteraction, out, e);
}

int db_filteraction_list(struct db *db, enum store_kind s, struct filteraction **out,
			 size_t *n, struct err *e)
{
	static const char sql[] = "SELECT " FILTERACTION_COLS " FROM filteractions WHERE store = ? ORDER BY seq";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, s);
	return collect(db, st, sizeof(**out), read_filteraction, (void **)out, n, e);
}

/* --- rules ------------------------------------------------------------- */

#define RULE_COLS                                                                       \
	"id, guid, policy_id, filterlist_id, filteraction_id, name, description, tunnel," \
	" conntype, active, auth, seq"

static void read_rule(sqlite3_stmt *st, void *out)
{
	struct rule *r = out;

	r->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, r->guid, sizeof(r->guid));
	r->policy_id = sqlite3_column_int64(st, 2);
	r->filterlist_id = sqlite3_column_int64(st, 3);
	r->filteraction_id = sqlite3_column_int64(st, 4);
	col_label(st, 5, r->name, sizeof(r->name));
	col_label(st, 6, r->description, sizeof(r->description));
	col_label(st, 7, r->tunnel, sizeof(r->tunnel));
	r->conntype = (enum conntype)sqlite3_column_int(st, 8);
	r->active = sqlite3_column_int(st, 9);
	col_text(st, 10, r->auth, sizeof(r->auth));
	r->seq = sqlite3_column_int64(st, 11);
}

static void bind_rule(sqlite3_stmt *st, const struct rule *r)
{
	sqlite3_bind_int64(st, 1, r->policy_id);
	sqlite3_bind_int64(st, 2, r->filterlist_id);
	sqlite3_bind_int64(st, 3, r->filteraction_id);
	bind_text(st, 4, r->name);
	bind_text(st, 5, r->description);
	bind_text(st, 6, r->tunnel);
	sqlite3_bind_int(st, 7, r->conntype);
	sqlite3_bind_int(st, 8, r->active);
	bind_text(st, 9, r->auth);
}

int db_rule_add(struct db *db, struct rule *r, struct err *e)
{
	static const char sql[] =
		"INSERT INTO rules (policy_id, filterlist_id, filteraction_id, name, description,"
		" tunnel, conntype, active, auth, guid, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;

	if (!r->guid[0])
		new_guid(r->guid);
	if (db_next_seq(db, &r->seq, e) < 0 || !(st = db_stmt(db, sql, e)))
		return -1;
	bind_rule(st, r);
	bind_text(st, 10, r->guid);
	sqlite3_bind_int64(st, 11, r->seq);
	if (db_step_done(db, st, e, "add rule") < 0)
		return -1;
	r->id = sqlite3_last_insert_rowid(db->h);
	return 0;
}

int db_rule_update(struct db *db, const struct rule *r, struct err *e)
{
	static const char sql[] =
		"UPDATE rules SET policy_id = ?, filterlist_id = ?, filteraction_id = ?, name = ?,"
		" description = ?, tunnel = ?, conntype = ?, active = ?, auth = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	bind_rule(st, r);
	sqlite3_bind_int64(st, 10, r->id);
	return db_step_done(db, st, e, "set rule");
}

int db_rule_delete(struct db *db, int64_t id, struct err *e)
{
	return delete_by_id(db, "DELETE FROM rules WHERE id = ?", id, e, "delete rule");
}

int db_rule_find(struct db *db, int64_t policy_id, const char *name, long position,
		 struct rule *out, struct err *e)
{
	static const char by_name[] = "SELECT " RULE_COLS " FROM rules WHERE policy_id = ? AND name = ?";
	static const char by_pos[] = "SELECT " RULE_COLS " FROM rules WHERE policy_id = ? ORDER BY seq LIMIT 1 OFFSET ?";
	sqlite3_stmt *st = db_stmt(db, name ? by_name : by_pos, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, policy_id);
	if (name)
		bind_text(st, 2, name);
	else if (position < 1)
		return 0;
	else
		sqlite3_bind_int64(st, 2, position - 1);
	return find_one(db, st, read_rule, out, e);
}

int db_rule_list(struct db *db, int64_t policy_id, struct rule **out, size_t *n, struct err *e)
{
	static const char sql[] = "SELECT " RULE_COLS " FROM rules WHERE policy_id = ? ORDER BY seq";
	sqlite3_stmt *st = db_stmt(db, sql, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, policy_id);
	return collect(db, st, sizeof(**out), read_rule, (void **)out, n, e);
}

int db_rules_using(struct db *db, enum rule_ref ref, int64_t id, size_t *n, struct err *e)
{
	static const char by_list[] = "SELECT count(*) FROM rules WHERE filterlist_id = ?";
	static const char by_action[] = "SELECT count(*) FROM rules WHERE filteraction_id = ?";
	sqlite3_stmt *st = db_stmt(db, ref == REF_FILTERLIST ? by_list : by_action, e);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_fail(db, e, "rules using");
	}
	*n = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* --- config ------------------------------------------------------------ */

int db_config_load(struct db *db, struct config *c, struct err *e)
{
	static const char sql[] = "SELECT property, value FROM config";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	config_init(c);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum config_property p;
		struct err ignore;
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *value = (const char *)sqlite3_column_text(st, 1);
		/* Values were validated when set; a hand-edited bad one is skipped. */
		if (config_property_parse(name, &p, &ignore) == 0)
			config_set(c, p, value, &ignore);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, e, "read config");
	return 0;
}

int db_config_save(struct db *db, const struct config *c, struct err *e)
{
	static const char sql[] = "INSERT OR REPLACE INTO config (property, value) VALUES (?, ?)";
	char value[2048];

	for (int p = 0; p < CFG_COUNT; p++) {
		sqlite3_stmt *st = db_stmt(db, sql, e);
		if (!st)
			return -1;
		if (p == CFG_BOOTMODE && !c->bootmode_set)
			continue;
		config_format(c, (enum config_property)p, value, sizeof(value));
		bind_text(st, 1, config_property_name((enum config_property)p));
		bind_text(st, 2, value);
		if (db_step_done(db, st, e, "save config") < 0)
			return -1;
	}
	return 0;
}

int db_store_clear(struct db *db, enum store_kind s, struct err *e)
{
	struct policy *ps;
	struct filterlist *ls;
	struct filteraction *as;
	size_t n;
	int rc = 0;

	/* Policies first: their rules hold the lists and actions. */
	if (db_policy_list(db, s, &ps, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = db_policy_delete(db, ps[i].id, e);
	free(ps);
	if (rc < 0 || db_filterlist_list(db, s, &ls, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = db_filterlist_delete(db, ls[i].id, e);
	free(ls);
	if (rc < 0 || db_filteraction_list(db, s, &as, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = db_filteraction_delete(db, as[i].id, e);
	free(as);
	return rc;
}
