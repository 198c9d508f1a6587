-- 0018-alert-mail.sql — alert firings mailed through the outbox
-- (docs/alerts.md, "Mail"). A new firing queues one outbox row of kind
-- 'alert' per address of alerts.email, in the transaction that records
-- the firing: moment 'alert', subject_id the firing's id, rule_id the
-- alert rule's, channel 'email', recipient the address. The sender
-- mails cxm_alert_mail() of the firing. A firing is mailed to an address
-- once: one row a firing and address.
CREATE UNIQUE INDEX IF NOT EXISTS outbox_alert
    ON outbox (workspace_id, subject_id, recipient) WHERE kind = 'alert';
