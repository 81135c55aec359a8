/// The statements SQLite and PostgreSQL write differently; everything else the store runs is the
/// same text on both.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Starts a write transaction. SQLite's takes the write lock at once (`IMMEDIATE`), so a
    /// transaction never fails halfway for want of it.
    var begin: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        case .postgres: "BEGIN"
        }
    }

    /// Appends value `?1` (serialized JSON) to the JSON array in `run.outputs` of run `?2`.
    var appendOutput: String {
        switch self {
        case .sqlite: "UPDATE run SET outputs = json_insert(outputs, '$[#]', json(?1)) WHERE id = ?2"
        case .postgres: "UPDATE run SET outputs = (outputs::jsonb || jsonb_build_array(?1::jsonb))::text WHERE id = ?2"
        }
    }

    /// A condition: text `haystack` contains text `needle` (both SQL expressions).
    func contains(_ haystack: String, _ needle: String) -> String {
        switch self {
        case .sqlite: "instr(\(haystack), \(needle)) > 0"
        case .postgres: "strpos(\(haystack), \(needle)) > 0"
        }
    }
}
