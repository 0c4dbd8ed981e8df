import Foundation
import GRDB

/// The tables of a state database and the migrations that create them.
///
/// Two families of tables live side by side:
/// - the engine's own bookkeeping (`state_meta`, `apply`, `journal`, `event`), which a
///   real backend would keep too;
/// - the simulated storage (`storage_array`, `cluster`, `pool`, `pool_extent`, `host`,
///   `volume`, `volume_host`, `snapshot`, `relationship`, `clone`, `atom`).
///
/// Snapshot rows are kept small and in read order so that a state of a million
/// snapshots reads in a fraction of a second: the primary key is
/// `(volume_id, created, name)` in a `WITHOUT ROWID` table, labels, tags, groups and
/// host lists are interned in `atom`, and per-volume aggregates (`snapshot_count`,
/// `oldest_snapshot`) are maintained alongside so that space is computed without
/// visiting snapshots.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-bookkeeping") { db in
            try db.execute(
                sql: """
                    CREATE TABLE state_meta (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        lineage TEXT NOT NULL,
                        serial INTEGER NOT NULL
                    );
                    CREATE TABLE apply (
                        id TEXT PRIMARY KEY,
                        serial INTEGER NOT NULL,
                        operation TEXT NOT NULL,
                        started REAL NOT NULL,
                        finished REAL,
                        outcome TEXT
                    );
                    CREATE TABLE journal (
                        id INTEGER PRIMARY KEY,
                        apply_id TEXT NOT NULL,
                        action_id TEXT NOT NULL,
                        address TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        message TEXT,
                        at REAL NOT NULL
                    );
                    CREATE INDEX journal_by_apply ON journal (apply_id, id);
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY,
                        serial INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        at REAL NOT NULL
                    );
                    """)
            // The lineage names this state for as long as it lives: a plan made
            // against another state file is refused even at the same serial.
            try db.execute(
                sql: "INSERT INTO state_meta (id, lineage, serial) VALUES (1, ?, 0)",
                arguments: [UUID().uuidString.lowercased()])
        }
        migrator.registerMigration("v1-storage") { db in
            try db.execute(
                sql: """
                    CREATE TABLE atom (
                        id INTEGER PRIMARY KEY,
                        text TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE storage_array (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        model TEXT NOT NULL,
                        capacity INTEGER NOT NULL,
                        site TEXT,
                        status TEXT NOT NULL DEFAULT 'online',
                        offline_since REAL,
                        online_since REAL,
                        fail_next INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE cluster (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        site TEXT,
                        io_groups INTEGER NOT NULL
                    );
                    CREATE TABLE pool (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        cluster_id INTEGER NOT NULL REFERENCES cluster(id),
                        warning_threshold REAL NOT NULL,
                        max_overcommit REAL NOT NULL,
                        easy_tier INTEGER NOT NULL,
                        outside_used INTEGER NOT NULL DEFAULT 0,
                        virtual INTEGER NOT NULL DEFAULT 0,
                        used_at REAL,
                        used INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE pool_extent (
                        pool_id INTEGER NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
                        array_id INTEGER NOT NULL REFERENCES storage_array(id),
                        capacity INTEGER NOT NULL,
                        position INTEGER NOT NULL,
                        PRIMARY KEY (pool_id, array_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX pool_extent_by_array ON pool_extent (array_id);
                    CREATE TABLE host (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        site TEXT
                    );
                    CREATE TABLE volume (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        pool_id INTEGER NOT NULL REFERENCES pool(id),
                        mirror_pool_id INTEGER REFERENCES pool(id),
                        size INTEGER NOT NULL,
                        protocol TEXT NOT NULL,
                        thin INTEGER NOT NULL,
                        compressed INTEGER NOT NULL,
                        change_rate REAL NOT NULL,
                        role TEXT NOT NULL,
                        created REAL NOT NULL,
                        initial_fill REAL NOT NULL,
                        snapshot_count INTEGER NOT NULL DEFAULT 0,
                        oldest_snapshot REAL
                    );
                    CREATE INDEX volume_by_pool ON volume (pool_id);
                    CREATE INDEX volume_by_mirror_pool ON volume (mirror_pool_id) WHERE mirror_pool_id IS NOT NULL;
                    CREATE TABLE volume_host (
                        volume_id INTEGER NOT NULL REFERENCES volume(id) ON DELETE CASCADE,
                        host_id INTEGER NOT NULL REFERENCES host(id),
                        PRIMARY KEY (volume_id, host_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX volume_host_by_host ON volume_host (host_id);
                    CREATE TABLE snapshot (
                        volume_id INTEGER NOT NULL REFERENCES volume(id) ON DELETE CASCADE,
                        created REAL NOT NULL,
                        name TEXT NOT NULL,
                        label_id INTEGER NOT NULL REFERENCES atom(id),
                        hosts_id INTEGER NOT NULL REFERENCES atom(id),
                        tag_id INTEGER REFERENCES atom(id),
                        group_id INTEGER REFERENCES atom(id),
                        immutable_until REAL,
                        PRIMARY KEY (volume_id, created, name)
                    ) WITHOUT ROWID;
                    CREATE UNIQUE INDEX snapshot_by_name ON snapshot (volume_id, name);
                    CREATE TABLE relationship (
                        destination_id INTEGER PRIMARY KEY REFERENCES volume(id),
                        source_id INTEGER NOT NULL REFERENCES volume(id),
                        type TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        state TEXT NOT NULL,
                        last_transfer REAL,
                        group_name TEXT
                    );
                    CREATE INDEX relationship_by_source ON relationship (source_id);
                    CREATE TABLE clone (
                        volume_id INTEGER PRIMARY KEY REFERENCES volume(id) ON DELETE CASCADE,
                        parent_volume_id INTEGER NOT NULL REFERENCES volume(id),
                        parent_snapshot TEXT NOT NULL,
                        host TEXT,
                        created REAL NOT NULL
                    );
                    CREATE INDEX clone_by_parent ON clone (parent_volume_id, parent_snapshot);
                    """)
        }
        // What a volume holds (DESIGN §7, `flashplan restore`): `content` is the version of
        // the data on the volume, `writes` the highest version ever written there, so that
        // a write after a restore makes a version no snapshot holds yet. A snapshot records
        // the version it captured. Rows of an older state start at version 0: nothing was
        // written through `sim write` before this migration existed.
        migrator.registerMigration("v2-content") { db in
            try db.execute(
                sql: """
                    ALTER TABLE volume ADD COLUMN content INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE volume ADD COLUMN writes INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE snapshot ADD COLUMN content INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        // The declared size flashplan last applied to a volume (DESIGN §5): with it a
        // volume grown outside flashplan is drift, and a lowered declaration an error.
        // NULL for volumes flashplan never sized (and for every volume of an older state).
        migrator.registerMigration("v3-applied-size") { db in
            try db.execute(sql: "ALTER TABLE volume ADD COLUMN applied_size INTEGER")
        }
        // Who ran each apply (`user@host`, with the user sudo was run by), for `history`.
        migrator.registerMigration("v4-apply-who") { db in
            try db.execute(sql: "ALTER TABLE apply ADD COLUMN who TEXT")
        }
        return migrator
    }
}
