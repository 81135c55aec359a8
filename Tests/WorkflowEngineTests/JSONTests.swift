import Foundation
import Testing
@testable import WorkflowEngine

@Suite("JSON values")
struct JSONTests {
    @Test("parses every kind of value and serializes it canonically")
    func roundTrip() throws {
        let text = #"{"b":[1,2.5,-3e2,true,false,null],"a":"x\ny\u00e9\ud83d\ude00","c":{}}"#
        let value = try JSON(parsing: text)
        #expect(value["b"] == [1, 2.5, -300, true, false, nil])
        #expect(value["a"] == "x\nyé😀")
        #expect(value.serialized() == #"{"a":"x\nyé😀","b":[1,2.5,-300,true,false,null],"c":{}}"#)
        #expect(try JSON(parsing: value.serialized()) == value)
    }

    @Test("integral numbers print without a fraction, others as the shortest double")
    func numbers() throws {
        #expect(JSON.number(3).serialized() == "3")
        #expect(JSON.number(-0.0).serialized() == "0")
        #expect(JSON.number(0.1).serialized() == "0.1")
        #expect(JSON.number(1e300).serialized() == "1e+300")
        #expect(try JSON(parsing: "12345678901234567890").doubleValue == 12345678901234567890)
        #expect(try JSON(parsing: "0.5e-3").doubleValue == 0.0005)
    }

    @Test("control characters are escaped")
    func escapes() {
        #expect(JSON.string("a\"b\\c\u{01}\t").serialized() == #""a\"b\\c\u0001\t""#)
    }

    @Test("malformed input names the offset and the problem", arguments: [
        ("{\"a\":1,}", 7, "expected a string key"),
        ("[1 2]", 3, "expected ',' or ']'"),
        ("01", 1, "leading zero"),
        ("\"abc", 4, "unterminated string"),
        ("tru", 0, "expected 'true'"),
        ("{\"a\" 1}", 5, "expected ':'"),
        ("[1] x", 4, "unexpected text after"),
        ("\"\\ud800\"", 7, "unpaired high surrogate"),
        ("", 0, "unexpected end of input"),
        ("-", 1, "expected a digit"),
        ("1.", 2, "after '.'"),
        ("\"a\u{01}\"", 2, "unescaped control character"),
    ])
    func malformed(text: String, offset: Int, message: String) {
        #expect {
            try JSON(parsing: text)
        } throws: { error in
            guard let error = error as? JSONParseError else { return false }
            return error.offset == offset && error.message.contains(message)
        }
    }

    @Test("invalid UTF-8 inside a string is an error, not a replacement character")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xFF, 0xFE, 0x22]
        #expect(throws: JSONParseError.self) { try JSON(parsing: bytes) }
    }

    @Test("nesting deeper than the limit is refused instead of exhausting the stack")
    func depthLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect {
            try JSON(parsing: deep)
        } throws: { error in
            (error as? JSONParseError)?.message.contains("nesting deeper than 512") == true
        }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try JSON(parsing: fine) }
    }

    @Test("keys sort by code point, as canonical JSON needs")
    func keyOrder() {
        let value: JSON = ["b": 1, "B": 2, "é": 3, "a": 4]
        #expect(value.serialized() == #"{"B":2,"a":4,"b":1,"é":3}"#)
    }

    @Test("type names are JSON Schema's; integral numbers have an Int view")
    func typeNames() {
        #expect(JSON.null.typeName == "null")
        #expect(JSON.bool(true).typeName == "boolean")
        #expect(JSON.number(1).typeName == "number")
        #expect(JSON.string("").typeName == "string")
        #expect(JSON.array([]).typeName == "array")
        #expect(JSON.object([:]).typeName == "object")
        #expect(JSON.number(2).intValue == 2)
        #expect(JSON.number(2.5).intValue == nil)
    }

    @Test("Codable: a value encoded by Foundation's JSONEncoder decodes back equal, and reads as its native form")
    func codableRoundTrip() throws {
        let value: JSON = ["a": [1, 2.5, -3, true, false, nil], "s": "x\ny\u{e9}\u{1F600}", "o": ["nested": ["deep": []]], "e": [:]]
        let encoded = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSON.self, from: encoded) == value)
        // What Foundation wrote is JSON the native parser reads as the same value.
        #expect(try JSON(parsing: [UInt8](encoded)) == value)
        // And the other way: native text decodes through Codable to the same value.
        #expect(try JSONDecoder().decode(JSON.self, from: Data(value.serializedBytes())) == value)
    }

    @Test("SHA-256 matches the FIPS 180-4 test vectors")
    func sha256() {
        #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("timestamps print as RFC 3339 UTC and read back")
    func timestamps() throws {
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(1_795_321_732.123) == "2026-11-22T04:28:52.123Z")
        #expect(try Timestamp.parse("2026-11-22T04:28:52.123Z") == 1_795_321_732.123)
        #expect(try Timestamp.parse("2026-11-22T04:28:52Z") == 1_795_321_732)
        #expect(try Timestamp.parse("2026-11-22T04:28:52.1Z") == 1_795_321_732.1)
        let now = Timestamp.now()
        #expect(try Timestamp.parse(Timestamp.format(now)) == now)
        #expect(throws: JSONShapeError.self) { try Timestamp.parse("yesterday") }
        // Offsets (a wait's `until` is written in local time as often as not).
        #expect(try Timestamp.parse("2026-11-22T05:28:52.123+01:00") == 1_795_321_732.123)
        #expect(try Timestamp.parse("2026-11-21T23:58:52-04:30") == 1_795_321_732)
        #expect(throws: JSONShapeError.self) { try Timestamp.parse("2026-11-22T04:28:52+0100") }
        #expect(throws: JSONShapeError.self) { try Timestamp.parse("2026-11-22T04:28:52") }
    }

    @Test("identifiers are 15 characters with their type letter, distinct, and every character carries random bits")
    func identifiers() {
        let ids = (0..<10_000).map { _ in Identifier.make("r") }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 15 && $0.first == "r" })
        // 70 random bits: each of the 14 positions takes many values (none is stuck, as the last
        // one was when ids were cut from a single 64-bit draw).
        for position in 1...14 {
            let values = Set(ids.map { Array($0.utf8)[position] })
            #expect(values.count == 32, "position \(position) takes \(values.count) values")
        }
    }
}
