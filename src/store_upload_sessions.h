#pragma once
/* SQL for upload_sessions (see src/upload_sessions.h for the rules). */

#include "src/store.h"
#include "src/strv.h"
#include "src/upload_sessions.h"

int stim_store_session_insert(struct stim_db *db, const struct stim_upload_session *s,
			      stim_error_t *err);
/* NOT_FOUND when absent. */
int stim_store_session_get(struct stim_db *db, const char *id, struct stim_upload_session *out,
			   stim_error_t *err);
int stim_store_session_progress(struct stim_db *db, const struct stim_upload_session *s,
				stim_error_t *err);
int stim_store_session_remove(struct stim_db *db, const char *id, stim_error_t *err);
/* The ids of the sessions started before before_ms. */
int stim_store_sessions_before(struct stim_db *db, int64_t before_ms, struct stim_strv *ids,
			       stim_error_t *err);
int stim_store_session_exists(struct stim_db *db, const char *id, bool *exists, stim_error_t *err);
