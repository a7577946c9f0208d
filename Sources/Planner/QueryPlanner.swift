import ADQL
import Catalog
import Sky

/// Looks up which chunks hold rows of a director with given keys (the objectId → chunk index);
/// each keyed director of the catalog (Object, DiaObject, ...) has an index of its own.
public protocol DirectorIndex: Sendable {
    func chunks(forKeys keys: [Int64], of director: String) throws -> Set<Int>
    func chunks(forKeysBetween low: Int64, and high: Int64, of director: String) throws -> Set<Int>
}

/// Turns an ADQL query into a plan through ordered, named passes, each a function from one
/// stage's value to the next (a type declared with the pass that makes it), run in this order
/// by `plan` and `distribute`:
///
/// 1. `foldRegions` (`Query` → `FoldedQuery`): constant REGION strings, geometry CASTs and
///    compound regions as the constructors they stand for;
/// 2. `checkShape` (→ `SingleSelect`): one SELECT block without WITH, set operations, derived
///    tables or sub-queries, or else the coordinator;
/// 3. `bind` (→ `BoundQuery`): names resolved against the catalog, `*` expanded, result
///    columns typed;
/// 4. `nearNeighbour` (→ `JoinedQuery`): a self-join of the director within a distance reads
///    the overlap, with a latitude window implied by the distance;
/// 5. `checkJoins` (→ `JoinedQuery`): joins that cannot be answered chunk by chunk go to the
///    coordinator;
/// 6. `chunkPruning` (→ `PrunedQuery`): the regions and director keys of the WHERE clause, and
///    the chunks they can match;
/// 7. `uploadPartitioning` (→ `PrunedQuery`): an upload cross-matched with the director, or
///    joined on its key, split over the chunks it can match;
/// 8. `latitudeBand` (→ `BandedQuery`): the regions' band (and longitude window, and zones)
///    for the chunk indexes, and a dense one-chunk box cut into parts;
/// 9. `mergeRewrite` (→ `RewrittenQuery`): the statement each chunk runs and the merge;
/// 10. `render` (→ `DistributedPlan`): their SQL.
///
/// A pass's name is that of its note in the plan (`DistributedPlan.passes`, with hyphens:
/// `bind`, `near-neighbour`, `chunk-pruning`, `latitude-band`) where it has one. A pass that
/// finds the query not distributable ends the passes with the reason (`PassOutcome`), and
/// `plan` has the coordinator (`CoordinatorPlanner`) plan the query on top of distributed
/// parts, noted `coordinator: <reason>`.
public struct QueryPlanner: Sendable {
    public let catalog: CatalogDescription
    public let chunker: Chunker
    public let directorIndex: (any DirectorIndex)?
    public let functions: FunctionRegistry
    /// Queries that touch at most this many chunks run in the interactive lane.
    public var interactiveChunkLimit = 8
    /// Above this many estimated rows a one-chunk box runs as two statements on its zones'
    /// halves (`latitudeBand`), so that both cores work on it: set where reading the rows costs
    /// far more than preparing and running a second statement.
    public var zoneSplitRows = 4000
    /// Most statements a dense one-chunk cone runs as (`circleParts`).
    public var maxCircleParts = 8
    /// Rows a coordinator plan may materialize in total before the query is refused.
    public var coordinatorRowLimit = 5_000_000
    /// The tables uploaded with the query this planner plans (`addingUploads`).
    var uploads = UploadSet(tables: [])

    let columnIndex: ColumnIndex
    /// The catalog's chunks, computed once rather than per query.
    let allChunks: Set<Int>
    let allChunksSorted: [Int]
    /// One binder per planner (a class: the binder's closures capture a reference, not a copy).
    let binder: Binder
    /// The integer literal of every zone of the sky (with a zone index), made once: a band
    /// lists up to `ZoneIndex.maxZones` of them, each a new node per plan otherwise.
    let zoneLiterals: [Expression]

    public init(catalog: CatalogDescription, directorIndex: (any DirectorIndex)?, functions: FunctionRegistry = .standard) {
        self.catalog = catalog
        self.chunker = Chunker(
            numStripes: catalog.chunking.numStripes,
            numSubStripesPerStripe: catalog.chunking.numSubStripesPerStripe)
        self.directorIndex = directorIndex
        self.functions = functions
        self.columnIndex = ColumnIndex(catalog)
        self.allChunks = Set(catalog.chunkRowCounts.keys)
        self.allChunksSorted = allChunks.sorted()
        self.binder = Binder(catalog: catalog, functions: functions, columnIndex: columnIndex)
        let zones = catalog.zonesPerDegree.map { 180 * Int64($0) } ?? -1
        self.zoneLiterals = zones < 0 ? [] : (0...zones).map { Expression(.literal(.integer($0))) }
    }

    /// The plan of any query: scatter-gather with a merge when the query distributes,
    /// otherwise a coordinator plan built from distributed parts.
    public func plan(_ query: Query) throws -> QueryPlan {
        let folded = try Self.foldRegions(query)
        switch try distribute(folded) {
        case .distributed(let plan):
            return .distributed(plan)
        case .needsCoordinator(let reason):
            var plan = try CoordinatorPlanner.plan(folded.query, planner: self)
            plan.passes.insert("coordinator: \(reason)", at: 0)
            return .coordinated(plan)
        }
    }

    /// The scatter-gather plan of a query, or why it needs the coordinator.
    public func planDistributed(_ query: Query) throws -> Distribution {
        try distribute(Self.foldRegions(query))
    }

    /// The passes from `checkShape` on, in order, for a query whose regions are folded (the
    /// coordinator plans its parts with them, without folding again).
    func distribute(_ folded: FoldedQuery) throws -> Distribution {
        // (Switches, not closures: a closure that calls a pass copies the planner into its
        // context.)
        let single: SingleSelect
        switch checkShape(folded) {
        case .next(let value): single = value
        case .coordinator(let reason): return .needsCoordinator(reason: reason)
        }
        let near: JoinedQuery
        switch try nearNeighbour(bind(single)) {
        case .next(let value): near = value
        case .coordinator(let reason): return .needsCoordinator(reason: reason)
        }
        switch checkJoins(consume near) {
        case .next(let joined):
            // Each stage's value is handed on, not copied.
            return .distributed(try render(mergeRewrite(latitudeBand(uploadPartitioning(chunkPruning(consume joined))))))
        case .coordinator(let reason):
            return .needsCoordinator(reason: reason)
        }
    }
}

/// What the distributed passes make of a query: its scatter-gather plan, or why it is not one
/// chunk statement and a merge (the coordinator then plans it, on top of distributed parts).
/// Not distributing is a planning outcome, not an error: errors are the query's own.
public enum Distribution: Sendable {
    case distributed(DistributedPlan)
    case needsCoordinator(reason: String)

    /// The scatter-gather plan, when the query distributes.
    public var plan: DistributedPlan? {
        if case .distributed(let plan) = self { return plan }
        return nil
    }
}

/// What a pass that may find the query not distributable returns: the next stage's value, or
/// the reason the query goes to the coordinator.
enum PassOutcome<Next> {
    case next(Next)
    case coordinator(reason: String)
}
