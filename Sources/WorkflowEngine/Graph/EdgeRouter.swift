/// Routes one sent message along its sender's edges (docs/semantics.md §3.4): a pure function of the
/// workflow, the message and the committed shared state, tested without an instance.
///
/// Accepted copies go into `inFlight` (or a fan-in buffer, which fires once every source has
/// delivered); whatever no edge accepts, a condition that throws, or an unknown target is
/// returned as a warning, never dropped silently.
enum EdgeRouter {
    /// Something the router could not deliver or evaluate.
    struct Warning: Equatable {
        var executor: String
        var reason: String
        var valueType: String
    }

    /// What became of a message at one edge (Agent Framework's edge group delivery statuses).
    enum Delivery: String {
        case delivered
        case buffered
        case droppedTargetMismatch = "dropped target mismatch"
        case droppedConditionFalse = "dropped condition evaluated to false"
        case exception
    }

    /// Routes `message` from executor `source`; `report` is told what became of it at each edge
    /// (a traced run makes a span of each).
    static func route(_ message: ExecutorContext.Outgoing, from source: Int, in workflow: Workflow, state: JSONObject,
                      inFlight: inout [PendingMessage], fanIn: inout [Int: [[JSON]]], warnings: inout [Warning],
                      report: (_ edgeIndex: Int, _ delivery: Delivery) -> Void = { _, _ in }) {
        let sourceID = workflow.executorIDs[source]
        func warn(_ reason: String) {
            warnings.append(Warning(executor: sourceID, reason: reason, valueType: message.payload.typeName))
        }
        if let target = message.target, workflow.index(of: target) == nil {
            warn("'\(sourceID)' sent a message to '\(target)', which is not an executor of workflow '\(workflow.name)'")
            return
        }
        var accepted = false
        for edgeIndex in workflow.outgoing[source] {
            let edge = workflow.edges[edgeIndex]
            let targets = workflow.edgeTargetIndices[edgeIndex]
            switch edge {
            case .direct(_, let to, let condition):
                if let target = message.target, target != to {
                    report(edgeIndex, .droppedTargetMismatch)
                    continue
                }
                if let condition {
                    do {
                        guard try condition.evaluate(message.payload, state) else {
                            report(edgeIndex, .droppedConditionFalse)
                            continue
                        }
                    } catch {
                        warn("condition '\(condition.description)' on edge \(edge.id) failed: \(error)")
                        report(edgeIndex, .exception)
                        continue
                    }
                }
                inFlight.append(PendingMessage(source: sourceID, target: targets[0], payload: message.payload))
                accepted = true
                report(edgeIndex, .delivered)
            case .fanOut(_, let to, let selection):
                var chosen = Array(to.indices)
                if let selection {
                    do {
                        let picked = try selection.select(message.payload, state, to)
                        chosen = []
                        for id in picked {
                            if let position = to.firstIndex(of: id) {
                                if !chosen.contains(position) { chosen.append(position) }
                            } else {
                                warn("selection '\(selection.description)' on edge \(edge.id) picked '\(id)', which is not one of its targets")
                            }
                        }
                    } catch {
                        warn("selection '\(selection.description)' on edge \(edge.id) failed: \(error)")
                        report(edgeIndex, .exception)
                        continue
                    }
                }
                var delivered = false
                for position in chosen {
                    if let target = message.target, target != to[position] { continue }
                    inFlight.append(PendingMessage(source: sourceID, target: targets[position], payload: message.payload))
                    delivered = true
                }
                accepted = accepted || delivered
                report(edgeIndex, delivered ? .delivered : chosen.isEmpty ? .droppedConditionFalse : .droppedTargetMismatch)
            case .switchCase(_, let cases, _):
                var pick = targets[targets.count - 1]  // the default
                for (position, switchCase) in cases.enumerated() {
                    do {
                        if try switchCase.condition.evaluate(message.payload, state) {
                            pick = targets[position]
                            break
                        }
                    } catch {
                        warn("switch case '\(switchCase.condition.description)' on edge \(edge.id) failed: \(error); trying the next case")
                    }
                }
                if let target = message.target, target != workflow.executorIDs[pick] {
                    report(edgeIndex, .droppedTargetMismatch)
                    continue
                }
                inFlight.append(PendingMessage(source: sourceID, target: pick, payload: message.payload))
                accepted = true
                report(edgeIndex, .delivered)
            case .fanIn(let from, let to):
                guard message.target == nil || message.target == to, let position = workflow.fanInPositions[edgeIndex]?[sourceID] else {
                    report(edgeIndex, .droppedTargetMismatch)
                    continue
                }
                var buffers = fanIn[edgeIndex] ?? Array(repeating: [], count: from.count)
                buffers[position].append(message.payload)
                if buffers.allSatisfy({ !$0.isEmpty }) {
                    var values: [JSON] = []
                    for index in buffers.indices { values.append(buffers[index].removeFirst()) }
                    inFlight.append(PendingMessage(source: "fan-in:\(edge.id)", target: targets[0], payload: .array(values)))
                    report(edgeIndex, .delivered)
                } else {
                    report(edgeIndex, .buffered)
                }
                fanIn[edgeIndex] = buffers.allSatisfy(\.isEmpty) ? nil : buffers
                accepted = true
            }
        }
        if !accepted {
            if let target = message.target {
                warn("no edge from '\(sourceID)' to '\(target)' accepted the message")
            } else if workflow.outgoing[source].isEmpty {
                warn("'\(sourceID)' sent a message but has no outgoing edges")
            } else {
                warn("no outgoing edge of '\(sourceID)' accepted the message (every condition was false)")
            }
        }
    }
}
