-- +goose Up
-- Reports' pre-aggregate, kept exact: each ticket's contribution to the
-- figures (filed under its current team, assignee, inbox, channel and
-- priority, per UTC hour) is added in the same transaction as the ticket's
-- change, so a report over a year reads a few hundred thousand summed rows
-- instead of millions of events. Absent team, assignee, inbox or actor is 0
-- (NULL would defeat the unique keys the upserts rely on). See
-- docs/REPORTS.md for what each table answers.
CREATE TABLE report_counts (
    h           BIGINT NOT NULL, -- Unix time / 3600
    team_id     BIGINT NOT NULL,
    assignee_id BIGINT NOT NULL,
    inbox_id    BIGINT NOT NULL,
    channel     TEXT NOT NULL,
    priority    TEXT NOT NULL,
    kind        TEXT NOT NULL, -- created, solved, reopened, reply
    actor_id    BIGINT NOT NULL,
    n           BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_counts_key ON report_counts (h, team_id, assignee_id, inbox_id, channel, priority, kind, actor_id);

-- Durations as exact histograms: one row per distinct value in
-- hundredths of a minute (what reports show), so medians and 90th
-- percentiles come out exactly as from the events. A solve's resolution
-- counts only when it is the ticket's last solve in the period: next_h is
-- the hour of the ticket's next solve (a huge number when none).
CREATE TABLE report_times (
    h           BIGINT NOT NULL,
    team_id     BIGINT NOT NULL,
    assignee_id BIGINT NOT NULL,
    inbox_id    BIGINT NOT NULL,
    channel     TEXT NOT NULL,
    priority    TEXT NOT NULL,
    kind        TEXT NOT NULL, -- first_reply, resolution
    actor_id    BIGINT NOT NULL,
    minutes     BIGINT NOT NULL, -- hundredths of a minute
    bin         BIGINT NOT NULL, -- coarse bin of minutes (report.binOf)
    next_h      BIGINT NOT NULL,
    replies     BIGINT NOT NULL, -- public agent replies before the solve
    n           BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_times_key ON report_times (h, team_id, assignee_id, inbox_id, channel, priority, kind, actor_id, minutes, bin, next_h, replies);
-- Exact percentiles: the rollups below give the coarse bin holding the
-- wanted rank; its exact values come from this index alone (it covers
-- every column a report reads, in value order).
CREATE INDEX report_times_bin ON report_times (kind, bin, minutes, h, next_h, n, team_id, assignee_id, inbox_id, channel, priority, actor_id);
-- Solves followed by another solve (reopened tickets) are not in the
-- rollups: whether one is its ticket's last in a period depends on it.
CREATE INDEX report_times_resolved_again ON report_times (h) WHERE kind = 'resolution' AND next_h < 2147483647;

-- SLA outcomes: each (ticket, metric) counts once per period, breached if
-- it breached in the period. prev_h is the hour of the previous event with
-- the same outcome; an achievement also keeps the hours of the nearest
-- breaches before and after it (-1 and a huge number when none).
CREATE TABLE report_sla (
    h             BIGINT NOT NULL,
    team_id       BIGINT NOT NULL,
    assignee_id   BIGINT NOT NULL,
    inbox_id      BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    priority      TEXT NOT NULL,
    metric        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    prev_h        BIGINT NOT NULL,
    breach_before BIGINT NOT NULL,
    breach_after  BIGINT NOT NULL,
    n             BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_sla_key ON report_sla (h, team_id, assignee_id, inbox_id, channel, priority, metric, outcome, prev_h, breach_before, breach_after);

-- Current tags of the tickets, by the hour the ticket was created.
CREATE TABLE report_tags (
    h           BIGINT NOT NULL,
    team_id     BIGINT NOT NULL,
    assignee_id BIGINT NOT NULL,
    inbox_id    BIGINT NOT NULL,
    channel     TEXT NOT NULL,
    priority    TEXT NOT NULL,
    tag         TEXT NOT NULL,
    n           BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_tags_key ON report_tags (h, team_id, assignee_id, inbox_id, channel, priority, tag);

-- Rollups for the common reports (the whole desk, or one of team,
-- assignee, inbox, channel, priority): dim names the dimension ('' for
-- the whole desk) and val its value. Volumes by UTC hour (days and the
-- busiest hours are then exact in any whole-hour zone)...
CREATE TABLE report_roll_hours (
    dim   TEXT NOT NULL,
    val   TEXT NOT NULL,
    h     BIGINT NOT NULL,
    kind  TEXT NOT NULL, -- created, solved, reopened
    n     BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_roll_hours_key ON report_roll_hours (dim, val, h, kind);

-- ...and the rest by UTC day (a period's ragged first and last hours come
-- from the hourly tables): agents' solves and replies, first reply and
-- resolution times in coarse bins (resolution: the solves not followed by
-- another), tags.
CREATE TABLE report_roll_days (
    dim       TEXT NOT NULL,
    val       TEXT NOT NULL,
    d         BIGINT NOT NULL, -- Unix time / 86400
    kind      TEXT NOT NULL, -- agent_solved, reply, first_reply, resolution, tag
    actor_id  BIGINT NOT NULL,
    bin       BIGINT NOT NULL,
    replies   BIGINT NOT NULL,
    tag       TEXT NOT NULL,
    n         BIGINT NOT NULL
);
CREATE UNIQUE INDEX report_roll_days_key ON report_roll_days (dim, val, d, kind, actor_id, bin, replies, tag);

-- What each ticket's filed contribution was computed from: its events up
-- to last_event_id under these values. A change subtracts that and adds
-- the contribution of all its events under the current values.
CREATE TABLE report_tickets (
    ticket_id     BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    last_event_id BIGINT NOT NULL,
    team_id       BIGINT NOT NULL,
    assignee_id   BIGINT NOT NULL,
    inbox_id      BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    priority      TEXT NOT NULL,
    tags          TEXT NOT NULL
);

-- Reports read the summary once it holds every ticket: at once on a new
-- database, after `tessera report rebuild` on one that has tickets.
CREATE TABLE report_summary_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    ready BIGINT NOT NULL
);
INSERT INTO report_summary_state (id, ready) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM tickets) THEN 0 ELSE 1 END;

-- +goose Down
DROP TABLE report_summary_state;
DROP TABLE report_tickets;
DROP TABLE report_roll_days;
DROP TABLE report_roll_hours;
DROP TABLE report_tags;
DROP TABLE report_sla;
DROP TABLE report_times;
DROP TABLE report_counts;
