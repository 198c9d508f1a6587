-- The column segment file (issue 3; docs/store.md, "Column segment file").
-- A report's column scan maps a copy of every col_answers segment from a
-- file beside the store (<store>-cols) instead of copying them out of
-- SQLite each time. The file is a cache: it names the token below, and a
-- reader uses it only when the token equals the store's; any change to
-- col_answers draws a new random token in the same transaction, so a file
-- written before the change is never read after it (it is rebuilt from
-- col_answers by the next report, or after an import).
CREATE TABLE col_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token INTEGER NOT NULL
);
INSERT INTO col_generation (id, token) VALUES (1, random());

CREATE TRIGGER col_answers_token_insert AFTER INSERT ON col_answers
BEGIN
    UPDATE col_generation SET token = random() WHERE id = 1;
END;
CREATE TRIGGER col_answers_token_update AFTER UPDATE ON col_answers
BEGIN
    UPDATE col_generation SET token = random() WHERE id = 1;
END;
CREATE TRIGGER col_answers_token_delete AFTER DELETE ON col_answers
BEGIN
    UPDATE col_generation SET token = random() WHERE id = 1;
END;
