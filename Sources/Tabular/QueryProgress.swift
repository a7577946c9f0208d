/// How far a running query has come: chunk statements finished of those started so far.
public struct QueryProgress: Sendable, Hashable, Codable {
    public var chunksDone: Int
    public var chunksTotal: Int

    public init(chunksDone: Int, chunksTotal: Int) {
        (self.chunksDone, self.chunksTotal) = (chunksDone, chunksTotal)
    }
}
