/// Where execution is, for Go's "at <...>" in errors: the kind of parse node and its byte offset. Plain values, so
/// moving through a template costs no reference counting (holding the node itself cost 18% of a 20-line
/// template's time); the node's text is looked up from them only when an error is reported.
struct ExecutionLocation: Hashable {
    enum Kind: Hashable {
        /// `parenthesized` is an argument that is a pipeline in parentheses: it starts where its first argument does.
        case argument, parenthesized, command, pipeline, node
    }

    let kind: Kind
    let position: Int

    static func argument(_ argument: Argument) -> ExecutionLocation {
        if case .pipeline = argument { return ExecutionLocation(kind: .parenthesized, position: argument.position) }
        return ExecutionLocation(kind: .argument, position: argument.position)
    }
    static func command(_ command: Command) -> ExecutionLocation { ExecutionLocation(kind: .command, position: command.position) }
    static func pipeline(_ pipeline: Pipeline) -> ExecutionLocation { ExecutionLocation(kind: .pipeline, position: pipeline.position) }
    static func node(at position: Int) -> ExecutionLocation { ExecutionLocation(kind: .node, position: position) }
}

extension GoTemplate {
    /// The text Go shows for the node execution is at (an error is being reported).
    func text(at location: ExecutionLocation) -> String {
        locatedNodes.first { $0.location == location }?.text ?? ""
    }

    /// Every node execution can be at, with its text, over every template the source defines. No two nodes of one
    /// kind start at the same byte (the tests hold the parser to it), so a location names one node.
    var locatedNodes: [(location: ExecutionLocation, text: String)] {
        var texts: [(location: ExecutionLocation, text: String)] = []
        func visit(_ argument: Argument) {
            texts.append((.argument(argument), argument.description))
            switch argument {
            case .chain(_, let base, _): visit(base)
            case .pipeline(let pipeline): visit(pipeline)
            default: break
            }
        }
        func visit(_ pipeline: Pipeline) {
            texts.append((.pipeline(pipeline), pipeline.description))
            for command in pipeline.commands {
                texts.append((.command(command), command.description))
                command.arguments.forEach(visit)
            }
        }
        func visit(_ nodes: [Node]) {
            for node in nodes {
                switch node {
                case .action(let position, let pipeline):
                    texts.append((.node(at: position), node.description))
                    visit(pipeline)
                case .conditional(let control), .range(let control), .with(let control):
                    texts.append((.node(at: control.position), node.description))
                    visit(control.pipeline)
                    visit(control.list)
                    control.elseList.map(visit)
                case .template(let position, _, let pipeline):
                    texts.append((.node(at: position), node.description))
                    pipeline.map(visit)
                case .text, .breakLoop, .continueLoop:
                    break
                }
            }
        }
        templates.values.forEach(visit)
        return texts
    }
}
