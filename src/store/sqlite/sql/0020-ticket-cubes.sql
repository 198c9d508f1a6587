-- 0020-ticket-cubes.sql — the ticket cells' cubes changed
-- (store_sqlite_tickets.c, docs/store.md "Ticket cells").
--
-- The cubes of 0019 were (), team, channel, agent+team, and all five
-- dimensions: the last held more cells than there are tickets. They are
-- now (), team, channel, topic+segment, team+channel, agent+team,
-- team+channel+topic+segment and agent+team+channel (a cell each per day
-- and group, bounded by the dimensions' values rather than by the
-- tickets; an agent with a topic or segment reads the rows). The cells
-- of 0019
-- are numbered the old way: deleted, and every day counted again at this
-- upgrade's write (until then the ticket figures come from the rows).
DELETE FROM ticket_cells;
INSERT OR IGNORE INTO ticket_dirty
SELECT DISTINCT workspace_id, -9223372036854775808 FROM tickets;
