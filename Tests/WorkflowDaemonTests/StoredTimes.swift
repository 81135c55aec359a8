/// Statements that move stored times back while a daemon is down, for the tests that would
/// otherwise wait for them (or bet on how fast a sanitizer runs).
enum StoredTimes {
    /// The head checkpoint's first wait of each instance due an hour ago, and the instance's
    /// index of its soonest wait two hours earlier (SQLite's form).
    static func waitDueAnHourAgo(instances: [String]) -> [String] {
        instances.flatMap { name in [
            """
            UPDATE checkpoint SET snapshot = json_set(snapshot, '$.waits[0].due', strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour'))
            WHERE id = (SELECT head FROM instance WHERE name = '\(name)')
            """,
            "UPDATE instance SET nextWake = nextWake - 7200 WHERE name = '\(name)'",
        ] }
    }

    /// The same in PostgreSQL's form.
    static func waitDueAnHourAgoPostgres(instances: [String]) -> [String] {
        instances.flatMap { name in [
            """
            UPDATE checkpoint SET snapshot = jsonb_set(snapshot::jsonb, '{waits,0,due}',
                to_jsonb(to_char((now() - interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))::text
            WHERE id = (SELECT head FROM instance WHERE name = '\(name)')
            """,
            "UPDATE instance SET nextWake = nextWake - 7200 WHERE name = '\(name)'",
        ] }
    }
}
