package io.signapi.worker.retry;

import java.util.Arrays;
import java.util.List;

/**
 * The learned distribution of a degradation's length T: the time from a message's first failure until it signs,
 * in windows. It starts from a prior (uniform over 0.75–5 windows, the upstream's stated range, worth
 * {@link #PRIOR_WEIGHT} observations) and is updated by what the messages showed.
 *
 * <p>Observations are censored: a message signed at R after failing last at L says only L &lt; T &le; R; a message
 * still failing at L says T &gt; L. The estimate is the self-consistent (Turnbull) estimate of a grid of
 * {@link #CELL}-window cells, with the prior as Dirichlet pseudo-counts, so no censored observation is dropped and
 * none is read as more than it says. A small base mass over the whole grid and beyond it keeps every cell reachable
 * when the upstream behaves outside the prior.
 */
public final class RecoveryEstimate {

    /** The grid's cell, in windows. */
    static final double CELL = 0.125;
    /** The grid covers (0, {@value #HORIZON}] windows; one open cell holds what lies beyond. */
    static final double HORIZON = 10;
    /** The prior's range, in windows, and its weight in observations. */
    static final double PRIOR_LOW = 0.75;
    static final double PRIOR_HIGH = 5;
    static final double PRIOR_WEIGHT = 4;
    private static final double BASE_WEIGHT = 0.2;
    private static final double BEYOND_WEIGHT = 0.05;
    private static final int ITERATIONS = 40;
    private static final int CELLS = (int) Math.round(HORIZON / CELL);

    private static final RecoveryEstimate PRIOR = learn(List.of());

    /** Mass of each cell; index {@link #CELLS} is the open cell beyond the horizon. */
    private final double[] mass;
    private final double[] cumulative;
    private final int observations;

    private RecoveryEstimate(double[] mass, int observations) {
        this.mass = mass;
        this.observations = observations;
        this.cumulative = new double[mass.length];
        double sum = 0;
        for (int i = 0; i < mass.length; i++) {
            sum += mass[i];
            cumulative[i] = sum;
        }
    }

    /**
     * One message's degradation as seen so far, in windows since its first failure.
     *
     * @param failingAt   the latest time it was still failing (0 for a single failure)
     * @param recoveredBy when it signed; {@link Double#POSITIVE_INFINITY} while it is not signed
     */
    public record Observation(double failingAt, double recoveredBy) {

        public Observation {
            failingAt = Math.max(failingAt, 0);
            recoveredBy = Math.max(recoveredBy, failingAt);
        }

        static Observation stillFailing(double failingAt) {
            return new Observation(failingAt, Double.POSITIVE_INFINITY);
        }
    }

    /** The prior alone. */
    public static RecoveryEstimate prior() {
        return PRIOR;
    }

    /** The estimate from the prior and these observations. */
    public static RecoveryEstimate learn(List<Observation> observations) {
        double[] alpha = priorCounts();
        double[] p = normalized(alpha.clone());
        int[][] cells = new int[observations.size()][];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = span(observations.get(i));
        }
        if (cells.length > 0) {
            double[] counts = new double[p.length];
            for (int iteration = 0; iteration < ITERATIONS; iteration++) {
                System.arraycopy(alpha, 0, counts, 0, counts.length);
                for (int[] cell : cells) {
                    double within = 0;
                    for (int k = cell[0]; k <= cell[1]; k++) {
                        within += p[k];
                    }
                    for (int k = cell[0]; k <= cell[1]; k++) {
                        counts[k] += p[k] / within;
                    }
                }
                p = normalized(counts.clone());
            }
        }
        return new RecoveryEstimate(p, observations.size());
    }

    /** How many observations (besides the prior) the estimate rests on. */
    public int observations() {
        return observations;
    }

    /** P(T &le; t), t in windows; linear within a cell. */
    public double cdf(double t) {
        if (t <= 0) {
            return 0;
        }
        if (t >= HORIZON) {
            return cumulative[CELLS - 1];
        }
        int k = (int) Math.floor(t / CELL);
        double before = k == 0 ? 0 : cumulative[k - 1];
        return before + mass[k] * (t / CELL - k);
    }

    /**
     * The chance that a call at {@code t} windows after the first failure signs, knowing the message still failed
     * at {@code failingAt}: P(T &le; t | T &gt; failingAt).
     */
    public double chance(double t, double failingAt) {
        double left = 1 - cdf(failingAt);
        if (left <= 0) {
            return 0;
        }
        return Math.clamp((cdf(t) - cdf(failingAt)) / left, 0, 1);
    }

    /** The share of the estimate that lies beyond {@code t}: what is left to learn about a message failing at t. */
    public double remaining(double t) {
        return 1 - cdf(t);
    }

    /**
     * The earliest time (windows after the first failure) at which {@link #chance} reaches {@code chance} for a
     * message still failing at {@code failingAt}; {@link Double#POSITIVE_INFINITY} if the grid never gets there.
     */
    public double timeAtChance(double failingAt, double chance) {
        double target = cdf(failingAt) + chance * (1 - cdf(failingAt));
        return inverse(target, failingAt);
    }

    /** The q-quantile of T in windows, read at the upper edge of its cell ("recovered by"). */
    public double quantile(double q) {
        for (int k = 0; k < CELLS; k++) {
            if (cumulative[k] >= q - 1e-12) {
                return (k + 1) * CELL;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private double inverse(double target, double notBefore) {
        if (target <= 0) {
            return notBefore;
        }
        for (int k = 0; k < CELLS; k++) {
            if (cumulative[k] >= target - 1e-12 && mass[k] > 0) {
                double before = k == 0 ? 0 : cumulative[k - 1];
                double t = (k + Math.clamp((target - before) / mass[k], 0, 1)) * CELL;
                return Math.max(t, notBefore);
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static int[] span(Observation o) {
        // Cells (k·CELL, (k+1)·CELL] that meet (failingAt, recoveredBy]; beyond the horizon is the open cell.
        int first = Math.min((int) Math.floor(o.failingAt() / CELL), CELLS);
        int last = Double.isInfinite(o.recoveredBy()) ? CELLS
                : Math.min((int) Math.ceil(o.recoveredBy() / CELL) - 1, CELLS);
        return new int[] {first, Math.max(first, last)};
    }

    private static double[] priorCounts() {
        double[] alpha = new double[CELLS + 1];
        for (int k = 0; k < CELLS; k++) {
            double low = k * CELL;
            double high = low + CELL;
            double overlap = Math.max(0, Math.min(high, PRIOR_HIGH) - Math.max(low, PRIOR_LOW));
            alpha[k] = PRIOR_WEIGHT * overlap / (PRIOR_HIGH - PRIOR_LOW) + BASE_WEIGHT / CELLS;
        }
        alpha[CELLS] = BEYOND_WEIGHT;
        return alpha;
    }

    private static double[] normalized(double[] counts) {
        double sum = Arrays.stream(counts).sum();
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= sum;
        }
        return counts;
    }

    @Override
    public String toString() {
        return "RecoveryEstimate[observations=" + observations + ", p10=" + quantile(0.1) + ", p50=" + quantile(0.5)
                + ", p90=" + quantile(0.9) + "]";
    }
}
