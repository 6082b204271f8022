extension GoTime {
    /// The `time.Time` methods a template may call on `_timestamp`, with Go's signatures. `Month` and `Weekday`
    /// are left out: Go returns named integer types for them that this value model does not have.
    func method(_ name: String) -> Function? {
        let time = self
        switch name {
        case "Format":
            return Function([.string]) { args in
                guard case .string(let layout) = args[0].value else { preconditionFailure("Format \(args[0])") }
                return Operand(value: .string(time.format(layout)))
            }
        case "String": return Function([]) { _ in Operand(value: .string(time.description)) }
        case "UTC":
            return Function([]) { _ in
                Operand(value: .time(GoTime(unixSeconds: time.unixSeconds, nanosecond: time.nanosecond, offset: 0,
                                            zoneName: "UTC")))
            }
        case "Unix": return Function([]) { _ in Operand(value: .int(Int(time.unixSeconds))) }
        case "UnixMilli":
            return Function([]) { _ in Operand(value: .int(Int(time.unixSeconds) * 1000 + time.nanosecond / 1_000_000)) }
        case "UnixNano":
            return Function([]) { _ in Operand(value: .int(Int(time.unixSeconds) * 1_000_000_000 + time.nanosecond)) }
        case "Year": return Function([]) { _ in Operand(value: .int(time.civil.year)) }
        case "Day": return Function([]) { _ in Operand(value: .int(time.civil.day)) }
        case "YearDay": return Function([]) { _ in Operand(value: .int(time.civil.yearDay)) }
        case "Hour": return Function([]) { _ in Operand(value: .int(time.civil.hour)) }
        case "Minute": return Function([]) { _ in Operand(value: .int(time.civil.minute)) }
        case "Second": return Function([]) { _ in Operand(value: .int(time.civil.second)) }
        case "Nanosecond": return Function([]) { _ in Operand(value: .int(time.nanosecond)) }
        default: return nil
        }
    }
}
