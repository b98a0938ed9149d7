// SPDX-License-Identifier: MIT
/* schema.h - the database schema, as ordered migrations (PRAGMA user_version
 * counts how many have run). Append; never edit a released step. */
#ifndef IPSECFW_SCHEMA_H
#define IPSECFW_SCHEMA_H

static const char *const schema_migrations[] = {
	/* 1: the policy stores, config and meta. */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta VALUES ('changes', '0'), ('seq', '0');"
	"CREATE TABLE config (property TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE policies ("
	"  id INTEGER PRIMARY KEY, store INTEGER NOT NULL CHECK (store BETWEEN 0 AND 2),"
	"  guid TEXT NOT NULL UNIQUE, name TEXT NOT NULL COLLATE NOCASE,"
	"  description TEXT NOT NULL, mmpfs INTEGER NOT NULL, qmpermm INTEGER NOT NULL,"
	"  mmlifetime INTEGER NOT NULL, pollinginterval INTEGER NOT NULL,"
	"  assigned INTEGER NOT NULL CHECK (assigned IN (0, 1)), gponame TEXT NOT NULL,"
	"  mmsecmethods TEXT NOT NULL, dr_active INTEGER NOT NULL, dr_qmpfs INTEGER NOT NULL,"
	"  dr_qmsecmethods TEXT NOT NULL, dr_auth TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  UNIQUE (store, name));"
	"CREATE UNIQUE INDEX one_assigned_policy ON policies (store) WHERE assigned = 1;"
	"CREATE TABLE filterlists ("
	"  id INTEGER PRIMARY KEY, store INTEGER NOT NULL, guid TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL COLLATE NOCASE, description TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  UNIQUE (store, name));"
	"CREATE TABLE filters ("
	"  id INTEGER PRIMARY KEY,"
	"  filterlist_id INTEGER NOT NULL REFERENCES filterlists (id) ON DELETE CASCADE,"
	"  guid TEXT NOT NULL UNIQUE, key TEXT NOT NULL,"
	"  src_kind INTEGER NOT NULL, src_server INTEGER NOT NULL, src_family INTEGER NOT NULL,"
	"  src_len INTEGER NOT NULL, src_addr BLOB NOT NULL, src_name TEXT NOT NULL,"
	"  dst_kind INTEGER NOT NULL, dst_server INTEGER NOT NULL, dst_family INTEGER NOT NULL,"
	"  dst_len INTEGER NOT NULL, dst_addr BLOB NOT NULL, dst_name TEXT NOT NULL,"
	"  proto INTEGER NOT NULL, sport_lo INTEGER NOT NULL, sport_hi INTEGER NOT NULL,"
	"  dport_lo INTEGER NOT NULL, dport_hi INTEGER NOT NULL,"
	"  icmp_type INTEGER NOT NULL, icmp_code INTEGER NOT NULL, mirrored INTEGER NOT NULL,"
	"  description TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  UNIQUE (filterlist_id, key));"
	"CREATE TABLE filteractions ("
	"  id INTEGER PRIMARY KEY, store INTEGER NOT NULL, guid TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL COLLATE NOCASE, description TEXT NOT NULL,"
	"  action INTEGER NOT NULL, inpass INTEGER NOT NULL, soft INTEGER NOT NULL,"
	"  qmpfs INTEGER NOT NULL, qmsecmethods TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  UNIQUE (store, name));"
	"CREATE TABLE rules ("
	"  id INTEGER PRIMARY KEY,"
	"  policy_id INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,"
	"  filterlist_id INTEGER NOT NULL REFERENCES filterlists (id) ON DELETE RESTRICT,"
	"  filteraction_id INTEGER NOT NULL REFERENCES filteractions (id) ON DELETE RESTRICT,"
	"  guid TEXT NOT NULL UNIQUE, name TEXT NOT NULL COLLATE NOCASE,"
	"  description TEXT NOT NULL, tunnel TEXT NOT NULL, conntype INTEGER NOT NULL,"
	"  active INTEGER NOT NULL, auth TEXT NOT NULL, seq INTEGER NOT NULL,"
	"  UNIQUE (policy_id, name));"
	"CREATE INDEX rules_by_filterlist ON rules (filterlist_id);"
	"CREATE INDEX rules_by_filteraction ON rules (filteraction_id);",
	/* 2: an assignment made with confirm=SECONDS, until it is confirmed or
	 * rolled back: the policy it assigned ('' for assign=no), the one it
	 * replaced ('' for none), and when (unix seconds) the rollback is due. */
	"CREATE TABLE pending_assign ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1), store INTEGER NOT NULL,"
	"  policy TEXT NOT NULL, previous TEXT NOT NULL, deadline INTEGER NOT NULL);",
};

#endif
