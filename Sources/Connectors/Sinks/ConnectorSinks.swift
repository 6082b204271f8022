import Pipeline

/// The sink of each storage type, for the task runtime: adding a sink changes this one switch.
public enum ConnectorSinks {
    /// The sink `connector`'s task writes through, on the loop of `context`.
    /// - Throws: when the storage type has no sink. Settings a sink cannot use (a missing endpoint or credentials)
    ///   fail its writes instead, so the task reports them in the connector's status.
    public static func make(_ connector: Connector, context: DestinationContext) throws(SinkFailure) -> any ConnectorSink {
        switch connector.storageType {
        case .s3:
            return S3Sink(connector: connector, context: context)
        case .redshift:
            return try RedshiftSink(connector: connector, context: context)
        case .snowflake, .gamesight:
            throw SinkFailure("\(connector.storageType.rawValue) has no sink")
        }
    }
}
