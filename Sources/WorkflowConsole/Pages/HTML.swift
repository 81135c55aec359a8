/// Text made safe to put in a page: every page is built from strings, and everything that came
/// from the daemon (names, prompts, payloads, errors) passes through here first.
enum HTML {
    /// Escapes text for an element's content or a quoted attribute's value.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A path segment of a console address (instance names and request ids may hold characters
    /// that mean something in a URL).
    static func segment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// An id attribute made from arbitrary text (letters, digits and `-` only), unique for unique text.
    static func id(_ parts: String...) -> String {
        var out = ""
        for (index, part) in parts.enumerated() {
            if index > 0 { out += "--" }
            for byte in part.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    out.append(Character(Unicode.Scalar(byte)))
                default:
                    out += "-" + String(byte, radix: 16)
                }
            }
        }
        return out
    }
}
