-- Who may search cards: whoever may read cards and partners (sql/007),
-- since card_search holds nothing more than those two tables do.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

REVOKE ALL ON card_search FROM PUBLIC;
GRANT SELECT ON card_search TO aba_clerk, aba_auditor, aba_pos;
-- The search squeezes its text as the index did.
GRANT EXECUTE ON FUNCTION card_search_squeeze(text) TO aba_clerk, aba_auditor, aba_pos;
