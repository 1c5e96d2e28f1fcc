package org.ladderae.gpu;

import jcuda.driver.CUresult;

/** A CUDA driver call failed: names the call and the CUDA error, e.g. {@code cuMemAlloc(1.0 GiB): CUDA_ERROR_OUT_OF_MEMORY (2)}. */
public class CudaException extends RuntimeException {
    private final String call;
    private final int errorCode;

    public CudaException(String call, int errorCode, String detail) {
        super(call + ": " + CUresult.stringFor(errorCode) + " (" + errorCode + ")" + (detail == null ? "" : ": " + detail));
        this.call = call;
        this.errorCode = errorCode;
    }

    public String call() { return call; }

    public int errorCode() { return errorCode; }

    /** Device allocation failed; says how much was asked and how much the device had free. */
    public static final class OutOfMemory extends CudaException {
        private final long requestedBytes;
        private final long freeBytes;

        public OutOfMemory(String call, int errorCode, long requestedBytes, long freeBytes, long totalBytes) {
            super(call, errorCode, "asked for " + Units.bytes(requestedBytes) + ", " + Units.bytes(freeBytes)
                    + " free of " + Units.bytes(totalBytes));
            this.requestedBytes = requestedBytes;
            this.freeBytes = freeBytes;
        }

        public long requestedBytes() { return requestedBytes; }

        public long freeBytes() { return freeBytes; }
    }
}
