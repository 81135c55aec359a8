/// Why a workload could not be measured, in a sentence.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
}
