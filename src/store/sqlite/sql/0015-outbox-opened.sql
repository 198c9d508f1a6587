-- The life of a sent message (issue 15, docs/sending.md "The outbox"):
-- opened_at, when its survey page (or a one-click link) was first opened
-- after it was sent (GET /s/TOKEN; never HEAD). A message refused at RCPT,
-- or reported through POST /hooks/bounce, has status 'bounced' and the
-- reason (no column needed).
ALTER TABLE outbox ADD COLUMN opened_at INTEGER;
