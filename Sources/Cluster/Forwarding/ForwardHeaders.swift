/// The headers nodes add when one forwards an admin call to another (design.md, "Ownership and forwarding").
///
/// These names are part of the protocol between nodes of different versions: never rename them.
public enum ForwardHeaders {
    /// The hop header: the name of the node that forwarded the call. A node that receives a call carrying it
    /// answers locally and never forwards it again, so two nodes with different views of ownership cannot bounce a
    /// call between them.
    public static let forwardedBy = "X-Rivulet-Forwarded-By"
    /// Added to every forwarded answer: the instance that served it.
    public static let servedBy = "X-Rivulet-Served-By"
    /// The HMAC of a forwarded call when `cluster.secret` is set, as `ForwardSignature` writes it.
    public static let signature = "X-Rivulet-Signature"
}
