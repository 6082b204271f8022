import Pipeline

/// Builds the sink of a connector's storage type.
public enum ConnectorSinks {
    public static func make(_ connector: Connector, node: String, context: DestinationContext) throws(SinkFailure) -> any ConnectorSink {
        switch connector.storageType {
        case .redshift: return try RedshiftSink(connector: connector, context: context)
        case .s3, .snowflake, .gamesight: throw SinkFailure("no sink for \(connector.storageType.rawValue)")
        }
    }
}
