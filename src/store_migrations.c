/* The numbered schema migrations (append only: never edit a released step). */
#include "src/store_internal.h"

#include "src/cleanup.h"
#include "src/util.h"

const struct stim_migration stim_migrations[] = {
	{ 1,
	  /* Resource Manager projects. project_number is what Google shows as a
	   * string; it is unique and never reused. Labels live in their own
	   * table so the store stays free of JSON. */
	  "CREATE TABLE projects ("
	  "  project_id TEXT PRIMARY KEY,"
	  "  project_number INTEGER NOT NULL UNIQUE,"
	  "  name TEXT NOT NULL,"
	  "  lifecycle_state TEXT NOT NULL,"
	  "  parent_type TEXT,"
	  "  parent_id TEXT,"
	  "  create_time INTEGER NOT NULL,"
	  "  delete_time INTEGER"
	  ") WITHOUT ROWID;"
	  /* WITHOUT ROWID clusters a project's labels in key order, so
	   * reading a project with its labels is one b-tree range. */
	  "CREATE TABLE project_labels ("
	  "  project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (project_id, key)"
	  ") WITHOUT ROWID;"
	  /* google.longrunning operations of Resource Manager and Service
	   * Usage. They finish at once; `target` names what the response
	   * renders (a project id, or project id + service). */
	  "CREATE TABLE lro_operations ("
	  "  name TEXT PRIMARY KEY,"
	  "  kind TEXT NOT NULL,"
	  "  target TEXT NOT NULL,"
	  "  done INTEGER NOT NULL,"
	  "  create_time INTEGER NOT NULL"
	  ");"
	  "CREATE TABLE project_services ("
	  "  project_id TEXT NOT NULL REFERENCES projects(project_id) ON DELETE CASCADE,"
	  "  service TEXT NOT NULL,"
	  "  state TEXT NOT NULL,"
	  "  PRIMARY KEY (project_id, service)"
	  ");" },
	{ 2,
	  /* Cloud Storage buckets. Names are global, so the name is the key;
	   * a project lists its buckets through the (project_number, name)
	   * index. Times are ms since the epoch; uniform_access_time is when
	   * uniform bucket-level access was turned on (0: off), from which
	   * its lockedTime follows. The IAM policy's version sits on the row
	   * because its etag is the bucket's metageneration. */
	  "CREATE TABLE buckets ("
	  "  name TEXT PRIMARY KEY,"
	  "  project_number INTEGER NOT NULL REFERENCES projects(project_number),"
	  "  generation INTEGER NOT NULL,"
	  "  metageneration INTEGER NOT NULL,"
	  "  location TEXT NOT NULL,"
	  "  storage_class TEXT NOT NULL,"
	  "  rpo TEXT NOT NULL,"
	  "  public_access_prevention TEXT NOT NULL,"
	  "  versioning INTEGER NOT NULL,"
	  "  uniform_access INTEGER NOT NULL,"
	  "  uniform_access_time INTEGER NOT NULL,"
	  "  default_event_based_hold INTEGER NOT NULL,"
	  "  soft_delete_seconds INTEGER NOT NULL,"
	  "  soft_delete_time INTEGER NOT NULL,"
	  "  create_time INTEGER NOT NULL,"
	  "  update_time INTEGER NOT NULL,"
	  "  iam_policy_version INTEGER NOT NULL DEFAULT 1"
	  ") WITHOUT ROWID;"
	  "CREATE INDEX buckets_by_project ON buckets (project_number, name);"
	  "CREATE TABLE bucket_labels ("
	  "  bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (bucket, key)"
	  ") WITHOUT ROWID;"
	  /* Lifecycle rules, relational like the rest: a rule's scalar
	   * conditions are columns (NULL: absent), its list conditions
	   * (matchesPrefix, matchesSuffix, matchesStorageClass, named by
	   * `kind`) one row per entry, kept in the order given. */
	  "CREATE TABLE bucket_lifecycle_rules ("
	  "  bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,"
	  "  position INTEGER NOT NULL,"
	  "  action TEXT NOT NULL,"
	  "  storage_class TEXT,"
	  "  age INTEGER,"
	  "  days_since_custom_time INTEGER,"
	  "  days_since_noncurrent_time INTEGER,"
	  "  num_newer_versions INTEGER,"
	  "  created_before TEXT,"
	  "  custom_time_before TEXT,"
	  "  noncurrent_time_before TEXT,"
	  "  is_live INTEGER,"
	  "  PRIMARY KEY (bucket, position)"
	  ") WITHOUT ROWID;"
	  "CREATE TABLE bucket_lifecycle_matches ("
	  "  bucket TEXT NOT NULL,"
	  "  position INTEGER NOT NULL,"
	  "  kind TEXT NOT NULL,"
	  "  idx INTEGER NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (bucket, position, kind, idx),"
	  "  FOREIGN KEY (bucket, position) REFERENCES bucket_lifecycle_rules (bucket, position)"
	  "    ON DELETE CASCADE"
	  ") WITHOUT ROWID;"
	  /* Bucket IAM: a binding is a role under an optional condition;
	   * its members one row each, so enforcement can ask by member. */
	  "CREATE TABLE bucket_iam_bindings ("
	  "  bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,"
	  "  position INTEGER NOT NULL,"
	  "  role TEXT NOT NULL,"
	  "  condition_title TEXT,"
	  "  condition_description TEXT,"
	  "  condition_expression TEXT,"
	  "  PRIMARY KEY (bucket, position)"
	  ") WITHOUT ROWID;"
	  "CREATE TABLE bucket_iam_members ("
	  "  bucket TEXT NOT NULL,"
	  "  position INTEGER NOT NULL,"
	  "  member TEXT NOT NULL,"
	  "  PRIMARY KEY (bucket, position, member),"
	  "  FOREIGN KEY (bucket, position) REFERENCES bucket_iam_bindings (bucket, position)"
	  "    ON DELETE CASCADE"
	  ") WITHOUT ROWID;" },
	{ 3,
	  /* Cloud Storage objects: one row per generation. The live version
	   * of a name has live = 1 (at most one: the partial unique index),
	   * versions kept by a versioned bucket have live = 0 and the time
	   * they stopped being live. The bytes are the blob named blob_id
	   * (src/blobs.h); md5 is the raw digest. Listing walks the index in
	   * name order (byte order: BINARY), so a page costs the same in a
	   * bucket of ten objects or of millions. */
	  "CREATE TABLE objects ("
	  "  bucket TEXT NOT NULL REFERENCES buckets(name),"
	  "  name TEXT NOT NULL,"
	  "  generation INTEGER NOT NULL,"
	  "  metageneration INTEGER NOT NULL,"
	  "  live INTEGER NOT NULL,"
	  "  size INTEGER NOT NULL,"
	  "  blob_id TEXT NOT NULL,"
	  "  md5 BLOB,"
	  "  crc32c INTEGER NOT NULL,"
	  "  content_type TEXT,"
	  "  content_encoding TEXT,"
	  "  content_disposition TEXT,"
	  "  content_language TEXT,"
	  "  cache_control TEXT,"
	  "  storage_class TEXT NOT NULL,"
	  "  create_time INTEGER NOT NULL,"
	  "  update_time INTEGER NOT NULL,"
	  "  noncurrent_time INTEGER,"
	  "  PRIMARY KEY (bucket, name, generation)"
	  ") WITHOUT ROWID;"
	  "CREATE UNIQUE INDEX objects_live ON objects (bucket, name) WHERE live = 1;"
	  "CREATE INDEX objects_blob ON objects (blob_id);"
	  /* Custom metadata ("metadata": {"k": "v"}) of each generation. */
	  "CREATE TABLE object_metadata ("
	  "  bucket TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  generation INTEGER NOT NULL,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (bucket, name, generation, key),"
	  "  FOREIGN KEY (bucket, name, generation) REFERENCES objects (bucket, name, generation)"
	  "    ON DELETE CASCADE"
	  ") WITHOUT ROWID;" },
	{ 4,
	  /* Resumable upload sessions: what the object will be (its
	   * metadata and the preconditions given at the start), how many
	   * bytes are durable in DATA/blobs/partial/<id>, and the total once
	   * known. They outlive a daemon restart, as GCS's do. */
	  "CREATE TABLE upload_sessions ("
	  "  id TEXT PRIMARY KEY,"
	  "  bucket TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  content_type TEXT,"
	  "  content_encoding TEXT,"
	  "  content_disposition TEXT,"
	  "  content_language TEXT,"
	  "  cache_control TEXT,"
	  "  storage_class TEXT,"
	  "  md5 BLOB,"
	  "  crc32c INTEGER,"
	  "  if_generation_match INTEGER,"
	  "  if_generation_not_match INTEGER,"
	  "  if_metageneration_match INTEGER,"
	  "  if_metageneration_not_match INTEGER,"
	  "  total INTEGER,"
	  "  received INTEGER NOT NULL,"
	  "  create_time INTEGER NOT NULL"
	  ") WITHOUT ROWID;"
	  "CREATE TABLE upload_session_metadata ("
	  "  id TEXT NOT NULL REFERENCES upload_sessions(id) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (id, key)"
	  ") WITHOUT ROWID;" },
	{ 5,
	  /* Composite objects (objects.compose) count their components and,
	   * as in GCS, have a CRC32C but no MD5. 0: not composite. */
	  "ALTER TABLE objects ADD COLUMN component_count INTEGER NOT NULL DEFAULT 0;" },
	{ 6,
	  /* Compute Engine operations (zonal, regional or global: scope_type
	   * 'zone', 'region' or 'global', scope the zone or region name or
	   * ''). target is the resource's path under /compute/v1/, so links
	   * are rendered with whatever host the client used. */
	  "CREATE TABLE compute_operations ("
	  "  project TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  id INTEGER NOT NULL,"
	  "  scope_type TEXT NOT NULL,"
	  "  scope TEXT NOT NULL,"
	  "  operation_type TEXT NOT NULL,"
	  "  target TEXT NOT NULL,"
	  "  target_id TEXT,"
	  "  status TEXT NOT NULL,"
	  "  progress INTEGER NOT NULL,"
	  "  error_code TEXT,"
	  "  error_message TEXT,"
	  "  http_status INTEGER,"
	  "  insert_time INTEGER NOT NULL,"
	  "  start_time INTEGER,"
	  "  end_time INTEGER,"
	  "  PRIMARY KEY (project, name)"
	  ") WITHOUT ROWID;"
	  "CREATE INDEX compute_operations_scope"
	  "  ON compute_operations (project, scope_type, scope, name);"
	  /* A project's Compute side: its common instance metadata and that
	   * metadata's fingerprint (8 random bytes, new at each change). */
	  "CREATE TABLE compute_projects ("
	  "  project TEXT PRIMARY KEY,"
	  "  metadata_fingerprint BLOB NOT NULL"
	  ") WITHOUT ROWID;"
	  "CREATE TABLE compute_project_metadata ("
	  "  project TEXT NOT NULL,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (project, key)"
	  ") WITHOUT ROWID;" },
	{ 7,
	  /* Compute Engine instances. image is the recipe the disk sits on
	   * (images/), source_image what the client named. pid and pid_start
	   * (the start time in clock ticks, /proc/PID/stat field 22) say which
	   * process is the instance's PID 1, so a reused pid is never taken
	   * for it. */
	  "CREATE TABLE instances ("
	  "  project TEXT NOT NULL,"
	  "  zone TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  id INTEGER NOT NULL UNIQUE,"
	  "  status TEXT NOT NULL,"
	  "  status_message TEXT,"
	  "  machine_type TEXT NOT NULL,"
	  "  image TEXT NOT NULL,"
	  "  source_image TEXT,"
	  "  description TEXT,"
	  "  metadata_fingerprint BLOB NOT NULL,"
	  "  pid INTEGER,"
	  "  pid_start INTEGER,"
	  "  create_time INTEGER NOT NULL,"
	  "  last_start_time INTEGER,"
	  "  PRIMARY KEY (project, zone, name)"
	  ") WITHOUT ROWID;"
	  "CREATE TABLE instance_metadata ("
	  "  project TEXT NOT NULL,"
	  "  zone TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (project, zone, name, key)"
	  ") WITHOUT ROWID;" },
	{ 8,
	  /* An instance's labels and network tags, each set with its own
	   * fingerprint (8 random bytes, new at each change) as GCE keeps
	   * them. Tags are what firewall rules target (issue 5). */
	  "ALTER TABLE instances ADD COLUMN label_fingerprint BLOB;"
	  "ALTER TABLE instances ADD COLUMN tags_fingerprint BLOB;"
	  "CREATE TABLE instance_labels ("
	  "  project TEXT NOT NULL,"
	  "  zone TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  key TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (project, zone, name, key)"
	  ") WITHOUT ROWID;"
	  "CREATE TABLE instance_tags ("
	  "  project TEXT NOT NULL,"
	  "  zone TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  tag TEXT NOT NULL,"
	  "  PRIMARY KEY (project, zone, name, tag)"
	  ") WITHOUT ROWID;" },
	{ 9,
	  /* VPC networks and their subnetworks. A subnetwork's range is kept
	   * as its first address and prefix (host order), so overlap checks
	   * are arithmetic. */
	  "CREATE TABLE networks ("
	  "  project TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  id INTEGER NOT NULL UNIQUE,"
	  "  description TEXT,"
	  "  auto_subnets INTEGER NOT NULL,"
	  "  mtu INTEGER NOT NULL,"
	  "  routing_mode TEXT NOT NULL,"
	  "  create_time INTEGER NOT NULL,"
	  "  PRIMARY KEY (project, name)"
	  ") WITHOUT ROWID;"
	  "CREATE TABLE subnetworks ("
	  "  project TEXT NOT NULL,"
	  "  region TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  id INTEGER NOT NULL UNIQUE,"
	  "  network TEXT NOT NULL,"
	  "  description TEXT,"
	  "  range_addr INTEGER NOT NULL,"
	  "  range_prefix INTEGER NOT NULL,"
	  "  private_google_access INTEGER NOT NULL,"
	  "  fingerprint BLOB NOT NULL,"
	  "  create_time INTEGER NOT NULL,"
	  "  PRIMARY KEY (project, region, name)"
	  ") WITHOUT ROWID;"
	  "CREATE INDEX subnetworks_by_network ON subnetworks (project, network);" },
	{ 10,
	  /* VPC firewall rules. rule is the rule's JSON as GCE renders it
	   * (src/firewall_rule.h): read back through the same checks. */
	  "CREATE TABLE firewalls ("
	  "  project TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  id INTEGER NOT NULL UNIQUE,"
	  "  network TEXT NOT NULL,"
	  "  rule TEXT NOT NULL,"
	  "  create_time INTEGER NOT NULL,"
	  "  PRIMARY KEY (project, name)"
	  ") WITHOUT ROWID;"
	  "CREATE INDEX firewalls_by_network ON firewalls (project, network);" },
	{ 11,
	  /* An instance's NIC (nic0): its network, subnetwork and internal
	   * address (host order), kept across stop and start as on GCE. An
	   * address is never handed out twice in a network. */
	  "ALTER TABLE instances ADD COLUMN nic_network TEXT;"
	  "ALTER TABLE instances ADD COLUMN nic_region TEXT;"
	  "ALTER TABLE instances ADD COLUMN nic_subnet TEXT;"
	  "ALTER TABLE instances ADD COLUMN nic_ip INTEGER;"
	  "CREATE UNIQUE INDEX instances_by_ip ON instances (project, nic_network, nic_ip) "
	  "WHERE nic_ip IS NOT NULL;" },
	{ 12,
	  /* An instance's service account (serviceAccounts[0]: its email and
	   * OAuth scopes, space-separated), which firewall rules can target. */
	  "ALTER TABLE instances ADD COLUMN service_account TEXT;"
	  "ALTER TABLE instances ADD COLUMN scopes TEXT;" },
	{ 13,
	  /* nic0's external IP (accessConfigs[0], ONE_TO_ONE_NAT): from the
	   * host-wide pool, so never twice in any project. */
	  "ALTER TABLE instances ADD COLUMN nic_external_ip INTEGER;"
	  "CREATE UNIQUE INDEX instances_by_external_ip ON instances (nic_external_ip) "
	  "WHERE nic_external_ip IS NOT NULL;" },
	{ 14,
	  /* Static external addresses, from the same host-wide pool. */
	  "CREATE TABLE addresses ("
	  "  project TEXT NOT NULL,"
	  "  region TEXT NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  id INTEGER NOT NULL UNIQUE,"
	  "  description TEXT,"
	  "  address INTEGER NOT NULL UNIQUE,"
	  "  create_time INTEGER NOT NULL,"
	  "  PRIMARY KEY (project, region, name)"
	  ") WITHOUT ROWID;" },
	{ 15,
	  /* Whether nic0 has an access config, apart from its address: an
	   * ephemeral external IP goes back to the pool at a stop, and the
	   * next start takes a new one, as on GCE. */
	  "ALTER TABLE instances ADD COLUMN nic_access_config INTEGER NOT NULL DEFAULT 0;"
	  "UPDATE instances SET nic_access_config = 1 WHERE nic_external_ip IS NOT NULL;" },
	{ 16,
	  /* OS Login's ssh keys, per user (an account's email; "None" when
	   * gcloud sends no credentials), for instances with enable-oslogin. */
	  "CREATE TABLE oslogin_keys ("
	  "  user TEXT NOT NULL,"
	  "  fingerprint TEXT NOT NULL,"
	  "  key TEXT NOT NULL,"
	  "  expire_usec INTEGER NOT NULL DEFAULT 0,"
	  "  PRIMARY KEY (user, fingerprint)"
	  ") WITHOUT ROWID;" },
	{ 17,
	  /* IAM service accounts. A deleted one stays 30 days for undelete;
	   * its email is free again at once, as on GCP. */
	  "CREATE TABLE service_accounts ("
	  "  unique_id INTEGER PRIMARY KEY,"
	  "  project TEXT NOT NULL,"
	  "  account_id TEXT NOT NULL,"
	  "  email TEXT NOT NULL,"
	  "  display_name TEXT,"
	  "  description TEXT,"
	  "  disabled INTEGER NOT NULL DEFAULT 0,"
	  "  deleted_ms INTEGER NOT NULL DEFAULT 0,"
	  "  create_ms INTEGER NOT NULL,"
	  "  gen INTEGER NOT NULL DEFAULT 1"
	  ");"
	  "CREATE UNIQUE INDEX service_accounts_live ON service_accounts (email) "
	  "WHERE deleted_ms = 0;"
	  "CREATE INDEX service_accounts_by_project ON service_accounts (project, email);" },
	/* Service account keys: only the public half, as a certificate; the
	 * private key went to the caller once and is not kept. */
	{ 18, "CREATE TABLE sa_keys ("
	      "  key_id TEXT PRIMARY KEY,"
	      "  sa_unique_id INTEGER NOT NULL,"
	      "  cert_pem TEXT NOT NULL,"
	      "  valid_after_ms INTEGER NOT NULL,"
	      "  valid_before_ms INTEGER NOT NULL,"
	      "  disabled INTEGER NOT NULL DEFAULT 0"
	      ");"
	      "CREATE INDEX sa_keys_by_account ON sa_keys (sa_unique_id, key_id);" },
	/* IAM policies of every kind of resource, keyed "projects/ID",
	 * "buckets/NAME", "serviceAccounts/UNIQUE_ID": a binding per row,
	 * its members one row each, found by member for enforcement. gen is
	 * the etag's (buckets' etag is their metageneration instead). The
	 * bucket policies of migration 2 move here, and go with their
	 * bucket as they did. */
	{ 19, "CREATE TABLE iam_policies ("
	      "  resource TEXT PRIMARY KEY,"
	      "  version INTEGER NOT NULL,"
	      "  gen INTEGER NOT NULL"
	      ") WITHOUT ROWID;"
	      "CREATE TABLE iam_bindings ("
	      "  resource TEXT NOT NULL REFERENCES iam_policies(resource) ON DELETE CASCADE,"
	      "  position INTEGER NOT NULL,"
	      "  role TEXT NOT NULL,"
	      "  condition_title TEXT,"
	      "  condition_description TEXT,"
	      "  condition_expression TEXT,"
	      "  PRIMARY KEY (resource, position)"
	      ") WITHOUT ROWID;"
	      "CREATE TABLE iam_members ("
	      "  resource TEXT NOT NULL,"
	      "  position INTEGER NOT NULL,"
	      "  member TEXT NOT NULL,"
	      "  PRIMARY KEY (resource, position, member),"
	      "  FOREIGN KEY (resource, position) REFERENCES iam_bindings (resource, position)"
	      "    ON DELETE CASCADE"
	      ") WITHOUT ROWID;"
	      "CREATE INDEX iam_members_by_member ON iam_members (member, resource);"
	      "INSERT INTO iam_policies (resource, version, gen) "
	      "  SELECT 'buckets/' || name, iam_policy_version, 0 FROM buckets;"
	      "INSERT INTO iam_bindings (resource, position, role, condition_title, "
	      "  condition_description, condition_expression) "
	      "  SELECT 'buckets/' || bucket, position, role, condition_title, "
	      "  condition_description, condition_expression FROM bucket_iam_bindings;"
	      "INSERT INTO iam_members (resource, position, member) "
	      "  SELECT 'buckets/' || bucket, position, member FROM bucket_iam_members;"
	      "DROP TABLE bucket_iam_members;"
	      "DROP TABLE bucket_iam_bindings;"
	      "ALTER TABLE buckets DROP COLUMN iam_policy_version;"
	      "CREATE TRIGGER buckets_iam_policy AFTER DELETE ON buckets BEGIN"
	      "  DELETE FROM iam_policies WHERE resource = 'buckets/' || OLD.name;"
	      "END;" },
	/* Custom roles per project, their permissions one row each. A
	 * deleted role keeps its row (deleted_ms) until it can no longer be
	 * undeleted. */
	{ 20, "CREATE TABLE custom_roles ("
	      "  project TEXT NOT NULL,"
	      "  role_id TEXT NOT NULL,"
	      "  title TEXT NOT NULL,"
	      "  description TEXT,"
	      "  stage TEXT NOT NULL,"
	      "  deleted_ms INTEGER NOT NULL DEFAULT 0,"
	      "  gen INTEGER NOT NULL,"
	      "  PRIMARY KEY (project, role_id)"
	      ") WITHOUT ROWID;"
	      "CREATE TABLE custom_role_permissions ("
	      "  project TEXT NOT NULL,"
	      "  role_id TEXT NOT NULL,"
	      "  permission TEXT NOT NULL,"
	      "  PRIMARY KEY (project, role_id, permission),"
	      "  FOREIGN KEY (project, role_id) REFERENCES custom_roles (project, role_id)"
	      "    ON DELETE CASCADE"
	      ") WITHOUT ROWID;" },
};

const int stim_migrations_count = (int)STIM_ARRAY_SIZE(stim_migrations);

static int apply(struct stim_db *db, const struct stim_migration *m, stim_error_t *err)
{
	cleanup_tx struct stim_tx *tx = NULL;
	cleanup_free char *bump = NULL;

	tx = stim_tx_begin(db, err);
	if (tx == NULL)
		return -1;
	if (stim_db_exec(db, m->sql, err) < 0)
		return stim_err_wrap(err, "migration %d", m->version);
	/* PRAGMA takes no parameters; the version is our own integer. */
	bump = xasprintf("PRAGMA user_version = %d", m->version);
	if (stim_db_exec(db, bump, err) < 0)
		return stim_err_wrap(err, "migration %d", m->version);
	return stim_tx_commit(steal_pointer(&tx), err);
}

int stim_store_migrate(struct stim_db *db, stim_error_t *err)
{
	int version = stim_store_version(db, err);

	if (version < 0)
		return -1;
	if (version > stim_migrations_count)
		return stim_err(err, STIM_FAILED_PRECONDITION,
				"database schema %d is newer than this binary (%d); "
				"use a newer stimulator",
				version, stim_migrations_count);
	for (int i = version; i < stim_migrations_count; i++) {
		STIM_ASSERT(stim_migrations[i].version == i + 1);
		if (apply(db, &stim_migrations[i], err) < 0)
			return -1;
	}
	return 0;
}
