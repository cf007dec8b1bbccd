package dev.groundingdino.internal.deformable;

import java.util.Arrays;

/**
 * The (H, W) of every feature level of a multi-scale token sequence (the reference's {@code spatial_shapes} and
 * {@code level_start_index}): tokens are flattened level by level, row-major, so level {@code l} occupies
 * {@code [start(l), start(l) + height(l) * width(l))}.
 */
public final class SpatialShapes {
    private final int[] heights;
    private final int[] widths;
    private final long[] starts;
    private final long total;

    /**
     * @param heights per-level heights, all positive
     * @param widths per-level widths, all positive, same length as {@code heights}
     */
    public SpatialShapes(int[] heights, int[] widths) {
        if (heights.length == 0 || heights.length != widths.length) {
            throw new IllegalArgumentException("spatial shapes need the same positive number of heights and widths, got "
                    + heights.length + " heights and " + widths.length + " widths");
        }
        this.heights = heights.clone();
        this.widths = widths.clone();
        this.starts = new long[heights.length];
        long sum = 0;
        for (int l = 0; l < heights.length; l++) {
            if (heights[l] <= 0 || widths[l] <= 0) {
                throw new IllegalArgumentException("level " + l + " has an empty spatial shape " + heights[l] + "x"
                        + widths[l]);
            }
            starts[l] = sum;
            sum += (long) heights[l] * widths[l];
        }
        this.total = sum;
    }

    /** Number of levels. */
    public int levels() {
        return heights.length;
    }

    public int height(int level) {
        return heights[level];
    }

    public int width(int level) {
        return widths[level];
    }

    /** Tokens of one level ({@code H * W}). */
    public long tokens(int level) {
        return (long) heights[level] * widths[level];
    }

    /** Index of the first token of {@code level} in the flattened sequence ({@code level_start_index}). */
    public long start(int level) {
        return starts[level];
    }

    /** Total number of tokens over all levels. */
    public long total() {
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpatialShapes s && Arrays.equals(heights, s.heights) && Arrays.equals(widths, s.widths);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(heights) + Arrays.hashCode(widths);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SpatialShapes[");
        for (int l = 0; l < heights.length; l++) {
            sb.append(l == 0 ? "" : ", ").append(heights[l]).append('x').append(widths[l]);
        }
        return sb.append(']').toString();
    }
}
