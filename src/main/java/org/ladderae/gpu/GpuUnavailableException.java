package org.ladderae.gpu;

/** No usable GPU here (no driver library, no device): callers skip or report one line. */
public final class GpuUnavailableException extends RuntimeException {
    public GpuUnavailableException(String reason) { super("no usable GPU: " + reason); }
}
