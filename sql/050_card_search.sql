-- Search as you type on a million cards needs trigram indexes (sql/052).
-- CREATE EXTENSION needs the superuser, so it has a migration of its own
-- that does not SET ROLE; the extension lives in schema aba so that
-- gin_trgm_ops resolves with the functions' fixed search_path.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA aba;
