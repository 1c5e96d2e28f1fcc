package org.ladderae.tuning;

import java.util.List;

/**
 * One operator at one shape, formats and stage on one GPU, seen as a search over launch
 * configurations. The tuner drives it: candidates are compiled in parallel (CPU-bound, nvcc
 * subprocesses), then measured one at a time on the GPU, and the winner is checked for
 * correctness before it is kept.
 *
 * @param <C> a candidate launch configuration (a record: tiles, threads, split-K, ...)
 */
public interface TuningProblem<C> {

    /** Short name for progress lines and logs, e.g. {@code gemv w_int4 a_fp16 1x28672x8192}. */
    String describe();

    /** The candidates left after pruning by resource limits (registers, shared memory, occupancy). */
    List<C> candidates();

    /** Builds one candidate's binary (cubin bytes). Called from several threads at once. */
    byte[] compile(C candidate) throws Exception;

    /** Times one compiled candidate on the GPU; returns its median in milliseconds. Called from one thread. */
    double measureMs(C candidate, byte[] binary) throws Exception;

    /** Checks the candidate's output against the CPU reference; a wrong kernel is never kept. */
    boolean verify(C candidate, byte[] binary) throws Exception;
}
