package org.ladderae.models;

import java.util.Locale;

/** Element types of model tensors (activations and stored weights before repacking). */
public enum DType {
    FP32(4), FP16(2), BF16(2), INT64(8), INT32(4), INT8(1), UINT8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    public int bytes() { return bytes; }
    public boolean isFloat() { return this == FP32 || this == FP16 || this == BF16; }
    public String token() { return name().toLowerCase(Locale.ROOT); }
}
