-- Who may import from Odoo and read what the import recorded.  Importing
-- is an admin's job (it creates cards and posts history); reconciliation
-- (aba import odoo --check) only reads, so auditors may run it too.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

REVOKE ALL ON odoo_partners, odoo_cards, odoo_history FROM PUBLIC;
GRANT SELECT ON odoo_partners, odoo_cards, odoo_history TO aba_admin, aba_auditor;

GRANT EXECUTE ON FUNCTION odoo_import_partners(jsonb) TO aba_admin;
GRANT EXECUTE ON FUNCTION odoo_import_cards(jsonb) TO aba_admin;
GRANT EXECUTE ON FUNCTION odoo_import_history(jsonb) TO aba_admin;
GRANT EXECUTE ON FUNCTION odoo_settle(bigint, integer) TO aba_admin;
GRANT EXECUTE ON FUNCTION odoo_import_done(text, text, jsonb) TO aba_admin;
