package org.ladderae.gpu;

/** Grid and block shape and dynamic shared memory of one launch. */
public record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes) {
    public LaunchConfig {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1 || sharedBytes < 0) {
            throw new IllegalArgumentException("bad launch shape: " + this);
        }
        if ((long) blockX * blockY * blockZ > 1024) throw new IllegalArgumentException("more than 1024 threads per block: " + this);
    }

    public static LaunchConfig of1d(int blocks, int threadsPerBlock) { return new LaunchConfig(blocks, 1, 1, threadsPerBlock, 1, 1, 0); }

    /** Enough blocks of {@code threadsPerBlock} threads to give each of {@code items} one thread. */
    public static LaunchConfig covering(long items, int threadsPerBlock) {
        long blocks = (items + threadsPerBlock - 1) / threadsPerBlock;
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException(items + " items need more than 2^31 blocks");
        return of1d((int) blocks, threadsPerBlock);
    }

    @Override
    public String toString() {
        return "grid (" + gridX + "," + gridY + "," + gridZ + ") block (" + blockX + "," + blockY + "," + blockZ + ") shared " + sharedBytes;
    }
}
