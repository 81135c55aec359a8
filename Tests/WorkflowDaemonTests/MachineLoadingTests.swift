import Testing

/// The suites that load the whole machine (the 200-client load test; several daemons and a
/// PostgreSQL server driven hard): their tests run one at a time, never beside each other. The
/// load test counts its requests per second, and on two cores it fell six-fold with the
/// several-hosts tests beside it.
@Suite(.serialized)
enum MachineLoadingTests {}
