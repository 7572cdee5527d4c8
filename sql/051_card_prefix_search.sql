-- Search text of one or two characters has no trigram to look up, so the
-- console matches it against the start of a card code, customer name or
-- phone instead; these indexes serve those prefixes (lower() for a
-- search that ignores case, text_pattern_ops for LIKE 'x%').
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE INDEX cards_code_prefix_idx ON cards (lower(code) text_pattern_ops);
CREATE INDEX partners_name_prefix_idx ON partners (lower(name) text_pattern_ops);
CREATE INDEX partners_phone_prefix_idx ON partners (phone text_pattern_ops);
