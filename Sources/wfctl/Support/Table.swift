/// Aligned columns for people: a header, rows, each column as wide as its widest cell.
struct Table {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }
    mutating func add(_ cells: [String]) { rows.append(cells) }

    /// The table; `visible` gives a cell's width on screen (colour codes take none).
    func render(_ terminal: Terminal) -> String {
        let widths = headers.indices.map { column in
            ([headers[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(Self.visibleWidth).max() ?? 0
        }
        func line(_ cells: [String], header: Bool) -> String {
            var out = ""
            for (column, cell) in cells.enumerated() {
                let last = column == cells.count - 1
                let text = header ? terminal.styled(cell, .bold) : cell
                out += last ? text : text + String(repeating: " ", count: widths[column] - Self.visibleWidth(cell) + 2)
            }
            return out
        }
        return ([line(headers, header: true)] + rows.map { line($0, header: false) }).joined(separator: "\n")
    }

    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var escape = false
        for scalar in text.unicodeScalars {
            if escape {
                if scalar == "m" { escape = false }
            } else if scalar == "\u{1B}" {
                escape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
