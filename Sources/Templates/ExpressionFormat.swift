/// Which language an expression is written in, as Jitsu detects it and as the evaluate endpoint reports it.
public enum ExpressionFormat: String, Sendable, Equatable {
    /// A Go `text/template` with at least one action.
    case go
    /// A plain identifier or URL used as is.
    case constant
    /// Anything else: JavaScript with the event bound to `$` and `_`.
    case javascript
}
