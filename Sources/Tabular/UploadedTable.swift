/// A table a client sent with its query (TAP 1.1 `UPLOAD`, DALI inline VOTable), readable in
/// the query as `TAP_UPLOAD.<name>`. The service reads it (within its upload limits) and hands
/// it to the engine with the query; it lives as long as the query, or the async job.
public struct UploadedTable: Sendable, Hashable {
    /// The table's name as the UPLOAD parameter gave it (`UPLOAD=mylist,param:part1` → `mylist`).
    public var name: String
    /// The columns, from the uploaded VOTable's FIELDs.
    public var fields: [FieldDescriptor]
    /// Every row, `fields.count` values each.
    public var rows: RowBatch

    public init(name: String, fields: [FieldDescriptor], rows: RowBatch) {
        precondition(rows.columnCount == fields.count, "an uploaded table's rows have one value per field")
        self.name = name
        self.fields = fields
        self.rows = rows
    }
}
