import ADQL
import Catalog
import Sky

extension QueryPlanner {
    /// A query and the chunks it reads (`chunkPruning`).
    struct PrunedQuery {
        var query: JoinedQuery
        var target: PlanTarget
        /// The regions of the WHERE clause's top-level conjuncts, when the pruning found those of
        /// the latitude band's director (nil: `latitudeBand` finds them itself).
        var regions: [SkyRegion]?
        /// What the statements bind for the uploads they read (`uploadPartitioning`).
        var uploadBindings: UploadBindings? = nil
        /// How an upload was split over the chunks, if it was.
        var uploadPartition: UploadPartition? = nil
        /// The upload whose rows carry their declination band (a cross-match's).
        var bandedUpload: String? = nil
        /// The hidden columns appended to that upload's rows, in order.
        var bandedUploadColumns: [String] = []
    }

    /// Pass `chunkPruning`: the regions and director keys of the WHERE clause (see
    /// `ChunkPruner`), found and turned into the chunks they can match in one walk. A query of
    /// replicated tables only runs once, on them.
    func chunkPruning(_ query: consuming JoinedQuery) throws -> PrunedQuery {
        guard query.bound.tables.contains(where: { $0.info.isPartitioned }) else {
            query.notes.append(.text("replicated-only: run once on the replicated tables"))
            return PrunedQuery(query: query, target: .replicated, regions: nil)
        }
        let all = allChunks
        var chunkSet = ChunkSet.all
        var regions: [SkyRegion]?
        if let whereClause = query.bound.statement.whereClause {
            // References read with their overlap rows (a near-neighbour join's second, a
            // ref-matched director) decide no chunks: their rows may come from a neighbour's
            // overlap.
            let overlapReads = query.overlapReads
            var pruner = ChunkPruner(
                chunker: chunker, tables: query.bound.tables.filter { !overlapReads.contains($0.correlation) },
                directorIndex: directorIndex)
            pruner.mainDirector = catalog.directorTable?.name
            let pruning = try pruner.prune(whereClause)
            chunkSet = pruning.chunks
            query.notes += pruning.notes
            // With one director among its tables, the pruner's regions of the top-level
            // conjuncts are exactly those of the latitude band's director.
            if pruner.tables.lazy.filter({ $0.info.directorSpec != nil }).count == 1 {
                regions = pruning.topLevelRegions
            }
        }
        let kept: [Int]
        switch chunkSet {
        case .all: kept = allChunksSorted
        case .some(let ids): kept = ids.intersection(all).sorted()
        }
        if kept.count < all.count {
            query.notes.append(.chunksKept(kept.count, of: all.count))
        }
        return PrunedQuery(query: query, target: .chunks(kept), regions: regions)
    }
}
