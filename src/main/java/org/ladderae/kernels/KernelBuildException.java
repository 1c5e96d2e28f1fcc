package org.ladderae.kernels;

/** A kernel could not be built or found: nvcc's own message, or why no compiler or prebuilt binary is usable. */
public final class KernelBuildException extends RuntimeException {
    public KernelBuildException(String message) { super(message); }
}
