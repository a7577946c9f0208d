/// Time limits for the engines that the correctness tests share.
///
/// Those tests compare answers, not speeds: on a machine shared with other builds, a query of a
/// brute-force comparison can wait behind its neighbours for minutes, and the service's default
/// time limit (600 s) would turn the comparison into a timed test. The limit here only catches a
/// hang; time limits themselves are tested with their own short limits (SchedulingTests,
/// DeadlineWatchTests).
public enum TestTimeLimits {
    public static let correctness: Duration = .seconds(1_800)
}
