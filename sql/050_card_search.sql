-- Search as you type on a million cards (the console's Cards screen and
-- `aba card list --search`): trigram indexes let ILIKE '%text%' on card
-- code, customer name and phone use an index instead of a scan.
-- CREATE EXTENSION needs the superuser, so it comes before SET ROLE; the
-- extension lives in schema aba so that gin_trgm_ops resolves with the
-- functions' fixed search_path.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA aba;

SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE INDEX cards_code_trgm_idx ON cards USING gin (code gin_trgm_ops);
CREATE INDEX partners_name_trgm_idx ON partners USING gin (name gin_trgm_ops);
CREATE INDEX partners_phone_trgm_idx ON partners USING gin (phone gin_trgm_ops);
