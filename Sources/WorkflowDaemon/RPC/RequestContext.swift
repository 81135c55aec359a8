import Logging

/// What a handler gets besides its params: the daemon, the connection, a logger that says which
/// method and which peer.
struct RequestContext: Sendable {
    let daemon: DaemonContext
    let connection: ConnectionContext
    let logger: Logger

    var peer: Peer { connection.peer }
    var registry: InstanceRegistry { daemon.registry }
    var instances: InstanceService { daemon.instances }
    var schedules: ScheduleService { daemon.schedules }
}
