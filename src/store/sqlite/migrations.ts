/**
 * Versioned schema of the SQLite store, applied in order at start. A migration is never
 * edited once released: a change is a new entry.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'inbox, dead letters, snapshots, links, owners, handoffs, decisions, actions, cursors',
    sql: `
      CREATE TABLE inbox_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        event_type TEXT NOT NULL,
        source TEXT NOT NULL,
        payload TEXT NOT NULL,
        headers TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','processing','done','dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        locked_by TEXT,
        locked_until INTEGER,
        last_error TEXT,
        processed_at INTEGER
      );
      -- Not unique: content-hash keys (Freshdesk sends no delivery id) dedupe only within a window.
      CREATE INDEX inbox_dedupe ON inbox_events (vendor, connection_id, dedupe_key, received_at);
      -- Claiming scans unfinished events only; finished ones pile up without slowing it.
      CREATE INDEX inbox_unfinished ON inbox_events (status, next_attempt_at, id) WHERE status IN ('pending','processing');
      CREATE INDEX inbox_entity ON inbox_events (vendor, connection_id, entity_key, id);

      CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id INTEGER NOT NULL REFERENCES inbox_events(id),
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        event_type TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL,
        dead_at INTEGER NOT NULL,
        replayed_at INTEGER
      );
      CREATE INDEX dead_letters_open ON dead_letters (replayed_at, vendor, connection_id);

      CREATE TABLE entity_snapshots (
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        data TEXT NOT NULL,
        vendor_updated_at TEXT,
        saved_at INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (vendor, connection_id, entity_id)
      );

      CREATE TABLE ticket_links (
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        jira_connection_id TEXT NOT NULL,
        issue_id TEXT,
        issue_key TEXT,
        state TEXT NOT NULL CHECK (state IN ('creating','linked')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (vendor, connection_id, ticket_id)
      );
      CREATE UNIQUE INDEX ticket_links_issue ON ticket_links (jira_connection_id, issue_id) WHERE issue_id IS NOT NULL;

      CREATE TABLE ticket_owners (
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        owner_group_id TEXT,
        since INTEGER NOT NULL,
        claimed_at INTEGER,
        PRIMARY KEY (vendor, connection_id, ticket_id)
      );

      CREATE TABLE handoffs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor_id TEXT,
        direction TEXT NOT NULL,
        from_group_id TEXT,
        to_group_id TEXT,
        from_assignee_id TEXT,
        to_assignee_id TEXT,
        comment_id TEXT
      );
      CREATE INDEX handoffs_ticket ON handoffs (vendor, connection_id, ticket_id, at);

      CREATE TABLE decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        actor_id TEXT,
        at INTEGER NOT NULL,
        summary TEXT NOT NULL,
        actions TEXT NOT NULL,
        event_id INTEGER
      );
      CREATE INDEX decisions_ticket ON decisions (vendor, connection_id, ticket_id, at);
      CREATE INDEX decisions_rule ON decisions (rule_id, at);

      CREATE TABLE executed_actions (
        idempotency_key TEXT PRIMARY KEY,
        vendor TEXT,
        connection_id TEXT,
        ticket_id TEXT,
        kind TEXT NOT NULL,
        result TEXT NOT NULL,
        at INTEGER NOT NULL
      );

      CREATE TABLE sync_cursors (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'Jira link details: issue kind and the sections a bug still misses (J5)',
    sql: `
      ALTER TABLE ticket_links ADD COLUMN kind TEXT;
      ALTER TABLE ticket_links ADD COLUMN missing_sections TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 3,
    name: 'ledger of writes (target, result id, rule, state), job locks and runs',
    sql: `
      ALTER TABLE executed_actions ADD COLUMN rule_id TEXT;
      ALTER TABLE executed_actions ADD COLUMN target_vendor TEXT;
      ALTER TABLE executed_actions ADD COLUMN target_connection_id TEXT;
      ALTER TABLE executed_actions ADD COLUMN target_id TEXT;
      ALTER TABLE executed_actions ADD COLUMN result_id TEXT;
      ALTER TABLE executed_actions ADD COLUMN state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('started','done'));
      CREATE INDEX executed_actions_result ON executed_actions (target_vendor, target_connection_id, result_id) WHERE result_id IS NOT NULL;
      CREATE INDEX executed_actions_ticket ON executed_actions (vendor, connection_id, ticket_id, at);
      CREATE INDEX executed_actions_target ON executed_actions (target_vendor, target_connection_id, target_id, at);
      CREATE INDEX inbox_pending_source ON inbox_events (source) WHERE status = 'pending';

      CREATE TABLE job_locks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        acquired_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );

      CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job TEXT NOT NULL,
        holder TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        outcome TEXT NOT NULL DEFAULT 'running',
        summary TEXT NOT NULL DEFAULT '{}',
        error TEXT
      );
      CREATE INDEX job_runs_job ON job_runs (job, id);
    `,
  },
  {
    version: 4,
    name: 'decision keys: a retried event records each decision once',
    sql: `
      ALTER TABLE decisions ADD COLUMN decision_key TEXT;
      CREATE UNIQUE INDEX decisions_key ON decisions (decision_key) WHERE decision_key IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'entity heads: a claim looks at one row per busy entity, not at every pending event',
    sql: `
      -- One row per entity with unfinished events: its oldest unfinished event (the only one that
      -- may run) and when that event may run. A claim is one indexed lookup here, however many
      -- events wait behind the heads.
      CREATE TABLE inbox_entities (
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        head_id INTEGER NOT NULL,
        ready_at INTEGER NOT NULL,
        backfill INTEGER NOT NULL,
        PRIMARY KEY (vendor, connection_id, entity_key)
      ) WITHOUT ROWID;
      CREATE INDEX inbox_entities_ready ON inbox_entities (backfill, ready_at, head_id);
      CREATE INDEX inbox_entity_unfinished ON inbox_events (vendor, connection_id, entity_key, id) WHERE status IN ('pending','processing');
      CREATE INDEX inbox_entity_processing ON inbox_events (vendor, connection_id, entity_key, locked_until) WHERE status = 'processing';
      DROP INDEX inbox_unfinished;
      INSERT INTO inbox_entities (vendor, connection_id, entity_key, head_id, ready_at, backfill)
      SELECT e.vendor, e.connection_id, e.entity_key, e.id,
             CASE WHEN e.status = 'processing' THEN COALESCE(e.locked_until, 0) + 1
                  ELSE MAX(e.next_attempt_at, COALESCE((SELECT MAX(p.locked_until) FROM inbox_events p
                         WHERE p.vendor = e.vendor AND p.connection_id = e.connection_id AND p.entity_key = e.entity_key
                           AND p.status = 'processing') + 1, 0)) END,
             e.source = 'backfill'
      FROM (SELECT MIN(id) AS head FROM inbox_events WHERE status IN ('pending','processing')
            GROUP BY vendor, connection_id, entity_key) h
      JOIN inbox_events e ON e.id = h.head;
    `,
  },
  {
    version: 6,
    name: 'circuit breakers: which vendor connections are paused, by which process, until when',
    sql: `
      -- One row per open circuit and process (a closed circuit has none), so sync status in
      -- another process can say which connections wait and why.
      CREATE TABLE connection_circuits (
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        holder TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        failures INTEGER NOT NULL,
        opened_at BIGINT,
        probe_at BIGINT,
        last_error TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (vendor, connection_id, holder)
      );
    `,
  },
  {
    version: 7,
    name: 'inbox counts by status without reading payloads',
    sql: `
      -- inboxCounts (every /metrics scrape, sync status) grouped by status, a column stored after
      -- the payload: SQLite read every payload's overflow pages (98 ms at 5,000 events of 20 KB).
      -- It now counts on partial indexes: unfinished and processing ones exist, this one holds
      -- the dead. An index on status itself would do it too, but it costs every claim and
      -- complete a b-tree write and made claims 40-60 % slower behind a 100,000-event backlog.
      CREATE INDEX inbox_dead ON inbox_events (id) WHERE status = 'dead';
    `,
  },
  {
    version: 8,
    name: 'service levels: one SLA record per ticket, and the live snapshots of tickets without one',
    sql: `
      -- One row per helpdesk ticket (S1-S3): its SlaState as JSON text, stored and returned as is.
      -- Ticket ids are text and order byte by byte (BINARY), like every key here.
      CREATE TABLE sla_states (
        vendor TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL,
        state TEXT NOT NULL,
        open INTEGER NOT NULL,
        next_check_at INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (vendor, connection_id, ticket_id)
      );
      -- listSlaDue: the earliest due first, among the rows that can be due at all.
      CREATE INDEX sla_states_due ON sla_states (next_check_at, vendor, connection_id, ticket_id) WHERE next_check_at IS NOT NULL;
      -- listTicketsWithoutSla walks the live snapshots in key order without reading their data
      -- (the deleted flag is stored after it: reading it would read every snapshot's overflow pages).
      CREATE INDEX entity_snapshots_live ON entity_snapshots (vendor, connection_id, entity_id) WHERE deleted = 0;
    `,
  },
  {
    version: 9,
    name: 'the audit (A1): indexed reads of pairs, violations and the daily timeline',
    sql: `
      -- A page of pairs walks ticket_links' primary key; its facts are found per ticket in the
      -- primary keys of entity_snapshots, ticket_owners and sla_states and in handoffs_ticket.
      -- Decisions are many per ticket (every rule records an ok), the audit wants few of them:
      -- this partial index holds those only (the query repeats its predicate). It also answers
      -- the rule filter (has the ticket a violation or correction of this rule?) on its own.
      CREATE INDEX decisions_audit ON decisions (vendor, connection_id, ticket_id, rule_id, verdict)
        WHERE verdict IN ('violation','corrected') OR rule_id IN ('E5','M6');
      -- listViolations, newest first: all of them, or one rule's.
      CREATE INDEX decisions_flagged ON decisions (id) WHERE verdict IN ('violation','corrected');
      CREATE INDEX decisions_flagged_rule ON decisions (rule_id, id) WHERE verdict IN ('violation','corrected');
      -- auditTimeline: a range of each, covering (the vendor and connection filters read no row).
      CREATE INDEX decisions_flagged_at ON decisions (at, vendor, connection_id, verdict) WHERE verdict IN ('violation','corrected');
      CREATE INDEX handoffs_direction ON handoffs (direction, at, vendor, connection_id);
      CREATE INDEX ticket_links_created ON ticket_links (created_at, vendor, connection_id);
    `,
  },
  {
    version: 10,
    name: 'dead letters: one per inbox event with its history of deaths, replays and discards',
    sql: `
      -- A replayed event that died again got a second dead letter (a new id). Now an event has one
      -- dead letter, updated when it dies again; each death, replay and discard is a history row.
      ALTER TABLE dead_letters ADD COLUMN deaths INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE dead_letters ADD COLUMN discarded_at INTEGER;
      ALTER TABLE dead_letters ADD COLUMN discarded_by TEXT;
      ALTER TABLE dead_letters ADD COLUMN discard_reason TEXT;
      CREATE TABLE dead_letter_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dead_letter_id INTEGER NOT NULL REFERENCES dead_letters(id),
        at INTEGER NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('dead','replayed','discarded')),
        attempts INTEGER,
        error TEXT,
        actor TEXT,
        reason TEXT
      );
      CREATE INDEX dead_letter_history_letter ON dead_letter_history (dead_letter_id, at, id);
      -- The history of the letters so far: each row's death and its replay, under the event's
      -- first letter (the one kept).
      INSERT INTO dead_letter_history (dead_letter_id, at, action, attempts, error)
        SELECT (SELECT MIN(k.id) FROM dead_letters k WHERE k.event_id = d.event_id), d.dead_at, 'dead', d.attempts, d.error
        FROM dead_letters d ORDER BY d.id;
      INSERT INTO dead_letter_history (dead_letter_id, at, action)
        SELECT (SELECT MIN(k.id) FROM dead_letters k WHERE k.event_id = d.event_id), d.replayed_at, 'replayed'
        FROM dead_letters d WHERE d.replayed_at IS NOT NULL ORDER BY d.id;
      -- An event with several letters keeps its first one, which takes the latest one's death.
      UPDATE dead_letters SET
        attempts = (SELECT l.attempts FROM dead_letters l WHERE l.event_id = dead_letters.event_id ORDER BY l.id DESC LIMIT 1),
        error = (SELECT l.error FROM dead_letters l WHERE l.event_id = dead_letters.event_id ORDER BY l.id DESC LIMIT 1),
        dead_at = (SELECT l.dead_at FROM dead_letters l WHERE l.event_id = dead_letters.event_id ORDER BY l.id DESC LIMIT 1),
        replayed_at = (SELECT l.replayed_at FROM dead_letters l WHERE l.event_id = dead_letters.event_id ORDER BY l.id DESC LIMIT 1),
        deaths = (SELECT COUNT(*) FROM dead_letters l WHERE l.event_id = dead_letters.event_id)
      WHERE id IN (SELECT MIN(id) FROM dead_letters GROUP BY event_id HAVING COUNT(*) > 1);
      DELETE FROM dead_letters WHERE id NOT IN (SELECT MIN(id) FROM dead_letters GROUP BY event_id);
      CREATE UNIQUE INDEX dead_letters_event ON dead_letters (event_id);
      -- listDeadLetters and replays of every open letter.
      DROP INDEX dead_letters_open;
      CREATE INDEX dead_letters_open ON dead_letters (vendor, connection_id, id) WHERE replayed_at IS NULL AND discarded_at IS NULL;
    `,
  },
];

export const SQLITE_SCHEMA_VERSION = SQLITE_MIGRATIONS[SQLITE_MIGRATIONS.length - 1]?.version ?? 0;
